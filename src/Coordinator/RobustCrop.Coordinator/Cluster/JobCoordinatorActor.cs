using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Hosting;
using Akka.Event;
using Akka.Hosting;
using RobustCrop.Cluster.Protocol;
using RobustCrop.Coordinator.Scheduling;
using RobustCrop.Core.Results;
using RobustCrop.Core.Settings;
using RobustCrop.IO;
using static RobustCrop.Cluster.Protocol.WorkProtocol;

namespace RobustCrop.Coordinator.Cluster;

/// <summary>
/// The job singleton: a thin shell around <see cref="ShardScheduler"/>. Each message becomes a scheduler call and each
/// answer a Tell; I/O (planning, verifying a completion against the store, aggregating) runs in the backend, off the
/// mailbox, and is piped back. It reports through <see cref="JobEvent"/>s on the EventStream, never by calling out. A
/// supervision restart is not the end of the job: the new incarnation re-plans from the store, which skips every shard
/// whose manifest is written, and workers carry on (their old leases are answered "lost" and re-queued).
/// </summary>
public sealed class JobCoordinatorActor : ReceiveActor, IWithTimers
{
    /// <summary>From the edge, before the node stops a job it did not finish: workers are told, answered with <see cref="StopAnnounced"/>.</summary>
    public sealed record AnnounceStop;

    public sealed record StopAnnounced;

    // Piped results carry the incarnation that asked: after a restart the old incarnation's plan or aggregation (or
    // its cancellation) lands in the same mailbox and must not be taken for the new one's.
    private sealed record PlanReady(Guid Incarnation, JobPlan Plan);
    private sealed record PlanFailed(Guid Incarnation, string Reason);
    /// <param name="Unreadable">The check itself failed (the store did not answer): not the worker's fault.</param>
    private sealed record CompletionChecked(Guid Incarnation, ShardCompleted Completion, IActorRef Worker, string? Problem, bool Unreadable = false);
    private sealed record Aggregated(Guid Incarnation, RunSummary? Summary);
    private sealed record AggregateFailed(Guid Incarnation, string Reason);
    private sealed record ExpiryTick;
    private sealed record StatusTick;

    private readonly JobSpec _spec;
    private readonly IJobBackend _backend;
    private readonly CoordinatorSettings _settings;
    private readonly ShardScheduler _scheduler;
    private readonly Guid _incarnation = Guid.NewGuid();
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly ProgressTracker _progress;
    // The registered workers' actors, told when the job ends or the coordinator stops.
    private readonly Dictionary<WorkerId, IActorRef> _workers = [];
    private readonly Dictionary<string, string> _devices = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private JobPlan? _plan;
    private JobFinished? _finished;
    private string? _restartedAfter;

    public JobCoordinatorActor(JobSpec spec, IJobBackend backend, CoordinatorSettings settings)
    {
        _spec = spec;
        _backend = backend;
        _settings = settings;
        _scheduler = new ShardScheduler(settings, settings.Clock);
        _progress = new ProgressTracker(settings.Clock, settings.StatusInterval);

        Receive<PlanReady>(p => p.Incarnation == _incarnation, OnPlan);
        Receive<PlanFailed>(f => f.Incarnation == _incarnation, f => Fail(f.Reason));
        // Every message that names a worker passes the scheduler's gate first: the id must be bound to this sender.
        FromWorker<RegisterWorker>(r => r.Worker, OnRegister);
        FromWorker<RequestWork>(r => r.Worker, r => Answer(Published(_scheduler.Request(r.Worker, Member, r.Capacity, r.CorrelationId))));
        FromWorker<RenewLease>(r => r.Worker, r => Answer(_scheduler.Renew(r.Worker, r.Leases)));
        FromWorker<ShardCompleted>(c => c.Worker, OnCompleted);
        Receive<CompletionChecked>(c => c.Incarnation == _incarnation, OnChecked);
        FromWorker<ShardFailed>(f => f.Worker, OnFailed);
        FromWorker<ReleaseLease>(r => r.Worker, r => Publish(_scheduler.Release(r.Worker, r.Lease)));
        FromWorker<WorkerFailed>(f => f.Worker, OnWorkerFailed);
        FromWorker<ProgressProtocol.WorkerProgress>(p => p.Worker, OnProgress);
        Receive<ClusterEvent.MemberRemoved>(m => Publish(_scheduler.NodeRemoved(m.Member.Address.ToString(), "worker-removed")));
        Receive<ClusterEvent.CurrentClusterState>(_ => { });
        Receive<Aggregated>(a => a.Incarnation == _incarnation, a => Finish(a.Summary));
        Receive<AggregateFailed>(f => f.Incarnation == _incarnation, f => Fail(f.Reason));
        // A piped result of an earlier incarnation: that incarnation's work, not this one's.
        Receive<PlanReady>(_ => { });
        Receive<PlanFailed>(_ => { });
        Receive<CompletionChecked>(_ => { });
        Receive<Aggregated>(_ => { });
        Receive<AggregateFailed>(_ => { });
        Receive<ExpiryTick>(_ => Publish(_scheduler.ExpireLeases()));
        Receive<StatusTick>(_ => OnStatus());
        Receive<AnnounceStop>(_ =>
        {
            // Not the job's end: workers rejoin and wait for a coordinator with this run id, which resumes. No lease is
            // granted and the run is not completed from here on: the shards that still finish while this node stops keep
            // their manifests (the resume skips them), but a run the user cancelled must not be marked _SUCCESS.
            if (_finished is null && !_scheduler.Closed)
            {
                _scheduler.Closed = true;
                foreach (var w in _workers.Values) w.Tell(new CoordinatorStopping(RunId));
            }
            Sender.Tell(new StopAnnounced());
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private void Publish(JobEvent e) => Context.System.EventStream.Publish(e);

    private RunId RunId => _spec.Run.RunId;

    /// <summary>The sender as the scheduler binds worker ids: its actor path, node address included.</summary>
    private string Member => Sender.Path.ToString();

    private void FromWorker<T>(Func<T, WorkerId> worker, Action<T> handle) => Receive<T>(m =>
    {
        var id = worker(m);
        switch (Published(_scheduler.Admit(id, Member, out var refusal)))
        {
            case Admission.Accepted: handle(m); break;
            case Admission.Refused: Sender.Tell(new WorkProtocol.WorkerRefused(id, refusal!)); break;
        }
    });

    protected override void PreStart()
    {
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.MemberRemoved));
        Timers.StartPeriodicTimer("expiry", new ExpiryTick(), _settings.TickInterval);
        Timers.StartPeriodicTimer("status", new StatusTick(), _settings.TickInterval);
        var incarnation = _incarnation;
        _backend.PlanAsync(_stopping.Token).PipeTo(Self, success: p => new PlanReady(incarnation, p), failure: e => new PlanFailed(incarnation, FailureReasons.Describe(e)));
    }

    /// <summary>
    /// Replaces Akka's default, which stops the children and calls <see cref="PostStop"/>: that would announce the end of
    /// a job that is only being restarted. This incarnation's background work stops; the job goes on in the next one.
    /// </summary>
    protected override void PreRestart(Exception reason, object message)
    {
        _log.Warning("job singleton restarting after {0}: {1}; it re-plans from the store", reason.GetType().Name, reason.Message);
        foreach (var child in Context.GetChildren())
        {
            Context.Unwatch(child);
            Context.Stop(child);
        }
        Timers.CancelAll();
        StopBackgroundWork();
    }

    /// <summary>The new incarnation: remembers why (for its plan event), then starts as <see cref="PreStart"/> does.</summary>
    protected override void PostRestart(Exception reason)
    {
        _restartedAfter = FailureReasons.Describe(reason);
        base.PostRestart(reason);
    }

    /// <summary>A real stop (the node leaves or is downed): unless the job already ended, it ends here.</summary>
    protected override void PostStop()
    {
        StopBackgroundWork();
        if (_finished is null) Publish(new JobEnded(RunId, new JobOutcome(null, JobEventFeed.StoppedBeforeCompletion)));
    }

    protected override void Unhandled(object message)
    {
        _log.Warning("job singleton: unexpected message {0} from {1} ignored", message.GetType().Name, Sender.Path);
        base.Unhandled(message);
    }

    private void StopBackgroundWork()
    {
        _stopping.Cancel();
        Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
    }

    private void OnPlan(PlanReady p)
    {
        _plan = p.Plan;
        _scheduler.Plan(p.Plan.ToDo);
        _progress.Planned(p.Plan.SkippedInputs, p.Plan.TotalInputs, afterRestart: _restartedAfter is not null);
        Publish(new JobPlanned(RunId, p.Plan, _restartedAfter));
        _log.Info("plan: {0} shard(s) to run, {1} already done", p.Plan.ToDo.Length, p.Plan.SkippedShards);
        CheckComplete();
    }

    private void OnRegister(RegisterWorker r)
    {
        var refused = Published(_scheduler.Register(r.Worker, Member, r.ProtocolVersion));
        if (refused is not null) { Sender.Tell(new WorkProtocol.WorkerRefused(r.Worker, refused)); return; }
        Track(r.Worker);
        Sender.Tell(_spec);
        if (_finished is not null) Sender.Tell(_finished);
    }

    private void Answer(IEnumerable<RobustCrop.Cluster.Protocol.IClusterMessage> answers)
    {
        if (_finished is not null) { Sender.Tell(_finished); return; }
        foreach (var a in answers) Sender.Tell(a);
    }

    private void OnCompleted(ShardCompleted c)
    {
        switch (Published(_scheduler.Complete(c.Worker, c.Lease, c.Manifest.Shard)))
        {
            case CompletionStep.Duplicate:
                Sender.Tell(new CompletionAck(c.Lease));
                break;
            case CompletionStep.Verify:
                // The worker's word is not enough: the shard is done when its manifest and files are in the job's store.
                var (incarnation, worker) = (_incarnation, Sender);
                _backend.VerifyAsync(c.Manifest, _stopping.Token)
                    .PipeTo(Self, success: problem => new CompletionChecked(incarnation, c, worker, problem),
                        failure: e => new CompletionChecked(incarnation, c, worker, FailureReasons.Describe(e), Unreadable: true));
                break;
        }
    }

    private void OnChecked(CompletionChecked v)
    {
        var c = v.Completion;
        if (v.Unreadable)
        {
            // The store could not be read (an outage): the shard failed like any shard whose files cannot be written,
            // while the worker, which wrote where the job says, stays welcome. Refusing it would leave a local job with
            // no worker and nothing to end it.
            v.Worker.Tell(new CompletionAck(c.Lease));
            var step = Published(_scheduler.VerifyFailed(c.Worker, c.Lease, c.Manifest.Shard, v.Problem!));
            OnFailureStep(step, c.Worker, v.Worker, v.Problem!);
            return;
        }
        if (v.Problem is null)
        {
            Publish(_scheduler.Verified(c.Worker, c.Lease, c.Manifest));
            foreach (var d in c.Manifest.Devices) _devices.TryAdd(d.Model, d.Device);
            v.Worker.Tell(new CompletionAck(c.Lease));
        }
        else
        {
            Publish(_scheduler.Rejected(c.Worker, c.Manifest.Shard, v.Problem));
            v.Worker.Tell(new WorkProtocol.WorkerRefused(c.Worker, v.Problem));
        }
        CheckComplete();
    }

    private void OnFailed(ShardFailed f)
    {
        Sender.Tell(new CompletionAck(f.Lease));
        var step = Published(_scheduler.Failed(f.Worker, f.Lease, f.Reason));
        OnFailureStep(step, f.Worker, Sender, WorkerIds.OneLine(f.Reason));
    }

    private void OnWorkerFailed(WorkerFailed f)
    {
        var step = Published(_scheduler.CannotRun(f.Worker, Member, f.Reason));
        OnFailureStep(step, f.Worker, Sender, $"worker {f.Worker}: {WorkerIds.OneLine(f.Reason)}");
    }

    private void OnFailureStep(FailureStep step, WorkerId worker, IActorRef actor, string reason)
    {
        switch (step)
        {
            case FailureStep.JobFails: Fail(reason); break;
            case FailureStep.WorkerRefused: actor.Tell(new WorkProtocol.WorkerRefused(worker, _scheduler.RefusalOf(worker)!)); break;
        }
    }

    private void OnProgress(ProgressProtocol.WorkerProgress p)
    {
        if (!_workers.ContainsKey(p.Worker)) return;
        var totals = _progress.Report(p.Worker, p.ImagesDone, p.CropsDone, p.Running, out var refused);
        if (refused is not null) PublishEvent(refused);
        if (totals is not null) Publish(new JobProgress(RunId, totals.Images, totals.Crops));
    }

    private void Track(WorkerId id) => _workers[id] = Sender;

    /// <summary>Publishes a scheduler decision's events and returns its answer.</summary>
    private T Published<T>(Decision<T> decision)
    {
        Publish(decision.Events);
        return decision.Value;
    }

    private void Publish(ImmutableArray<SchedulingEvent> events)
    {
        foreach (var e in events)
        {
            switch (e)
            {
                case WorkerLeft left:
                    _workers.Remove(left.Worker);
                    _progress.Left(left.Worker);
                    break;
                case Scheduling.WorkerRefused refused: _log.Warning("worker {0} refused: {1}", refused.Worker, refused.Reason); break;
            }
            PublishEvent(e);
        }
    }

    private void PublishEvent(SchedulingEvent e) => Publish(new JobSchedulingEvent(RunId, e));

    private void OnStatus()
    {
        if (_progress.Status(_scheduler.Counts, _scheduler.Workers, _scheduler.Requeues, planned: _plan is not null) is { } snapshot)
            Publish(new JobStatus(RunId, snapshot));
    }

    private void CheckComplete()
    {
        if (_plan is null || _scheduler.Closed || _finished is not null || !_scheduler.AllDone) return;
        _scheduler.Closed = true;
        // After a restart the skipped shards include this run's own: not a resume the user asked for.
        if (_plan.SkippedShards > 0 && _restartedAfter is null) Publish(new JobNote(RunId, $"resumed: {_plan.SkippedShards} shard(s) already done were skipped"));
        PublishEvent(new AllShardsDone(_plan.ToDo.Length));
        var incarnation = _incarnation;
        _backend.CompleteAsync(_devices, _stopping.Token)
            .PipeTo(Self, success: s => new Aggregated(incarnation, s), failure: e => new AggregateFailed(incarnation, FailureReasons.Describe(e)));
    }

    private void Finish(RunSummary? summary)
    {
        _finished = new JobFinished(RunId, true, null);
        foreach (var w in _workers.Values) w.Tell(_finished);
        Publish(new JobAllDone(RunId));
        PublishEvent(new JobComplete(RunId, _plan?.ToDo.Length ?? 0));
        Publish(new JobEnded(RunId, new JobOutcome(summary, null)));
    }

    private void Fail(string reason)
    {
        if (_finished is not null) return;
        _finished = new JobFinished(RunId, false, reason);
        foreach (var w in _workers.Values) w.Tell(_finished);
        Publish(new JobEnded(RunId, new JobOutcome(null, reason)));
    }
}

public static class JobCoordinatorHosting
{
    /// <summary>
    /// The job singleton on the coordinator role, and its proxy (registered as <see cref="JobSingletonKey"/>) for local
    /// workers. Its events go to the EventStream: attach a <see cref="JobEventFeed"/> first to receive them.
    /// </summary>
    public static AkkaConfigurationBuilder AddJobCoordinator(this AkkaConfigurationBuilder builder, JobSpec spec, IJobBackend backend,
        CoordinatorSettings settings)
        => builder.WithSingleton<JobSingletonKey>(ClusterRoles.JobSingleton,
            Props.Create(() => new JobCoordinatorActor(spec, backend, settings)),
            new ClusterSingletonOptions { Role = ClusterRoles.Coordinator }, createProxyToo: true);
}
