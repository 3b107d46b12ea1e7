using System.Threading.Channels;
using Akka.Actor;
using Akka.Hosting;
using RobustCrop.Coordinator.Scheduling;
using RobustCrop.Core.Settings;

namespace RobustCrop.Coordinator.Cluster;

/// <summary>
/// What the job singleton tells the world as the job goes, published on its node's EventStream. Messages rather than
/// callbacks: the actor never calls into console code or completes a task from its mailbox, and a supervision restart
/// of the singleton loses no subscriber (the EventStream, not the actor, holds the subscriptions). Local to the
/// coordinator's node: never sent over the wire, so not <c>IClusterMessage</c>.
/// </summary>
public abstract record JobEvent(RunId RunId);

/// <param name="AfterRestart">Set when a restarted singleton re-planned from the store: the reason it restarted.</param>
public sealed record JobPlanned(RunId RunId, JobPlan Plan, string? AfterRestart = null) : JobEvent(RunId);

/// <summary>Totals over the run so far (skipped inputs included).</summary>
public sealed record JobProgress(RunId RunId, long Images, long Crops) : JobEvent(RunId);

/// <summary>A line for the user (a resumed run).</summary>
public sealed record JobNote(RunId RunId, string Line) : JobEvent(RunId);

/// <summary>A scheduling event ("shard_done …", "requeued …"); its line is rendered where it is shown.</summary>
public sealed record JobSchedulingEvent(RunId RunId, SchedulingEvent Event) : JobEvent(RunId)
{
    public string Line => SchedulingLines.Format(Event);
}

/// <summary>The figures of a periodic status tick (the "cluster …" lines are rendered from them at the edge).</summary>
public sealed record JobStatus(RunId RunId, ClusterSnapshot Snapshot) : JobEvent(RunId);

/// <summary>Every planned input is done and aggregated: the progress can show 100 %.</summary>
public sealed record JobAllDone(RunId RunId) : JobEvent(RunId);

/// <summary>The last event of a job: its outcome.</summary>
public sealed record JobEnded(RunId RunId, JobOutcome Outcome) : JobEvent(RunId);

/// <summary>
/// The edge's end of a job's events: a subscriber actor that only hands each <see cref="JobEvent"/> of its run to a
/// channel, and <see cref="WaitAsync"/>, which reads that channel in the command's own async code and turns the events
/// into <see cref="IJobObserver"/> calls (console output). One feed per job.
/// </summary>
public sealed class JobEventFeed(RunId runId)
{
    /// <summary>The outcome when the node went away before the singleton said how the job ended.</summary>
    public const string StoppedBeforeCompletion = "the coordinator stopped before the job completed";

    // Unbounded: a handful of events per second, and the relay must never block (it runs on a mailbox).
    private readonly Channel<JobEvent> _events = Channel.CreateUnbounded<JobEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    /// <summary>
    /// Subscribes the relay. Register it before <see cref="JobCoordinatorHosting.AddJobCoordinator"/>: actor starters run
    /// in registration order and the subscription is made synchronously here, so the first event cannot be missed.
    /// </summary>
    public AkkaConfigurationBuilder AttachTo(AkkaConfigurationBuilder builder) => builder.WithActors((system, _) =>
    {
        var relay = system.ActorOf(Props.Create(() => new Relay(runId, _events.Writer)));
        system.EventStream.Subscribe(relay, typeof(JobEvent));
    });

    /// <summary>
    /// Feeds <paramref name="observer"/> until the job ends and returns its outcome. When the node stops first (the
    /// relay is stopped with it and completes the channel), the outcome says so.
    /// </summary>
    public async Task<JobOutcome> WaitAsync(IJobObserver observer, CancellationToken ct)
    {
        try
        {
            await foreach (var e in _events.Reader.ReadAllAsync(ct).ConfigureAwait(false))
                if (Feed(e, observer) is { } outcome) return outcome;
        }
        catch (OperationCanceledException) when (EndedAlready(observer) is { } outcome)
        {
            // The signal landed after the job ended (its _SUCCESS written) but before its last event was read: the run
            // is finished, and saying "cancelled" would send the user to resume a run that needs nothing.
            return outcome;
        }
        ct.ThrowIfCancellationRequested();
        return new JobOutcome(null, StoppedBeforeCompletion);
    }

    private JobOutcome? EndedAlready(IJobObserver observer)
    {
        while (_events.Reader.TryRead(out var e))
            if (Feed(e, observer) is { } outcome) return outcome;
        return null;
    }

    private bool _planned;

    /// <summary>Hands one event to the observer; the job's outcome when it is the last.</summary>
    private JobOutcome? Feed(JobEvent e, IJobObserver observer)
    {
        switch (e)
        {
            case JobPlanned p when _planned:
                // A restarted singleton planned again; the run's header and totals were printed from the first plan.
                observer.Note($"coordinator restarted ({p.AfterRestart}); re-planned from the store: {p.Plan.ToDo.Length} shard(s) to run, {p.Plan.SkippedShards} already done");
                break;
            case JobPlanned p:
                _planned = true;
                observer.Planned(p.Plan);
                if (p.AfterRestart is not null) observer.Note($"coordinator restarted ({p.AfterRestart}) before its first plan");
                break;
            case JobProgress p: observer.Progress(p.Images, p.Crops); break;
            case JobNote n: observer.Note(n.Line); break;
            case JobSchedulingEvent s: observer.Event(s.Line); break;
            case JobStatus s: observer.Status(SchedulingLines.Status(s.Snapshot)); break;
            case JobAllDone: observer.Finished(); break;
            case JobEnded end: return end.Outcome;
        }
        return null;
    }

    /// <summary>Channel writes only: the unbounded channel never blocks, so neither does this mailbox.</summary>
    private sealed class Relay : ReceiveActor
    {
        private readonly ChannelWriter<JobEvent> _writer;

        public Relay(RunId runId, ChannelWriter<JobEvent> writer)
        {
            _writer = writer;
            Receive<JobEvent>(e => e.RunId == runId, e => writer.TryWrite(e));
        }

        protected override void PostStop()
        {
            Context.System.EventStream.Unsubscribe(Self);
            // The node is going away: whatever the singleton did not say by now, it will not say.
            _writer.TryComplete();
        }
    }
}
