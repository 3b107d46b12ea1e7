using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Event;
using Akka.Hosting;
using RobustCrop.Cluster.Protocol;
using RobustCrop.Core.Settings;
using RobustCrop.IO;
using static RobustCrop.Cluster.Protocol.WorkProtocol;

namespace RobustCrop.Worker.Cluster;

/// <summary>
/// Pulls shards from the job singleton and runs each on a dedicated thread: the mailbox only ever sees messages
/// (leases, progress, results piped back), never inference. The protocol's decisions are <see cref="WorkerSlots"/>'s;
/// this actor turns messages into its calls and its answers into Tells, and owns what is not protocol: the loaded
/// runtime and the cancellation of running shards.
/// </summary>
public sealed class WorkerActor : ReceiveActor, IWithTimers
{
    /// <summary>
    /// Stop taking work (SIGTERM): with a zero grace every lease is handed back at once, otherwise running shards may
    /// finish for that long. The worker calls its <c>onStopped</c> once nothing is running and every completion is acknowledged.
    /// </summary>
    public sealed record StopWorking(TimeSpan Grace);

    private sealed record RuntimeReady(JobRuntime Runtime);
    private sealed record RuntimeFailed(string Reason);
    private sealed record ShardProgress(LeaseId Lease, int Images, long Crops);
    private sealed record ShardRunFinished(LeaseId Lease, ManifestSummary Manifest);
    private sealed record ShardRunFailed(LeaseId Lease, string Reason);
    // Typed timer messages, one per timer.
    private sealed record ResendTick;
    private sealed record RenewTick;
    private sealed record ProgressTick;
    private sealed record RequestAgain;
    private sealed record GraceOver;

    private sealed class Running(CancellationTokenSource cancel)
    {
        public CancellationTokenSource Cancel { get; } = cancel;
        public int Images { get; set; }
        public long Crops { get; set; }
    }

    private readonly WorkerSettings _settings;
    private readonly IActorRef _coordinator;
    private readonly Action<JobFinished> _onFinished;
    private readonly Action _onStopped;
    private readonly Action _onCoordinatorStopping;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly WorkerSlots _slots;
    private readonly Dictionary<LeaseId, Running> _running = [];
    private JobRuntime? _runtime;
    private IClusterMessage? _failure;
    private RunId? _runId;
    private long _imagesDone, _cropsDone;
    private bool _ended;

    public WorkerActor(WorkerSettings settings, IActorRef coordinator, Action<JobFinished> onFinished, Action? onStopped = null, Action? onCoordinatorStopping = null)
    {
        _onCoordinatorStopping = onCoordinatorStopping ?? (() => { });
        _settings = settings;
        _coordinator = coordinator;
        _onFinished = onFinished;
        _onStopped = onStopped ?? (() => { });
        _slots = new WorkerSlots(settings.Id, settings.Capacity, settings.Device, settings.RetryInterval, settings.Clock);
        Registering();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        _coordinator.Tell(_slots.Registration());
        Timers.StartPeriodicTimer("resend", new ResendTick(), _settings.RetryInterval / 2);
    }

    protected override void PostStop()
    {
        foreach (var r in _running.Values) r.Cancel.Cancel();
        // Shard threads still hold the sessions until their cancellation is observed; they finish on their own.
        if (_running.Count == 0) _runtime?.Dispose();
    }

    private void Registering()
    {
        Receive<JobSpec>(spec =>
        {
            _slots.OnRegistered();
            _runId = spec.Run.RunId;
            _log.Info("worker {0}: job {1}, loading models", _settings.Id, spec.Run.RunId);
            var settings = _settings;
            // Synchronous from start to end, so LongRunning really keeps a thread of its own for the seconds of loading.
            Task.Factory.StartNew(() => JobRuntime.Load(spec, settings), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)
                .PipeTo(Self, success: r => new RuntimeReady(r), failure: e => new RuntimeFailed(Reason(e)));
            Become(Loading);
        });
        Receive<StopWorking>(_ => StopNow());
        CommonReceives();
    }

    private void Loading()
    {
        Receive<RuntimeReady>(r =>
        {
            _runtime = r.Runtime;
            if (_slots.Stopping) { StopNow(); return; }
            Timers.StartPeriodicTimer("renew", new RenewTick(), _settings.RenewInterval);
            Timers.StartPeriodicTimer("progress", new ProgressTick(), _settings.ProgressInterval);
            Become(Working);
            RequestMore();
        });
        Receive<RuntimeFailed>(f =>
        {
            _log.Error("worker {0}: cannot run the job: {1}", _settings.Id, f.Reason);
            _failure = new WorkerFailed(_settings.Id, f.Reason);
            _coordinator.Tell(_failure);
            Become(Failed);
        });
        // Models are loading on their own thread; the stop takes effect when they are ready (or failed).
        Receive<StopWorking>(_ => _slots.Stop(handBack: true));
        CommonReceives();
    }

    private void Failed()
    {
        Receive<ResendTick>(_ => { if (_failure is not null) _coordinator.Tell(_failure); });
        Receive<StopWorking>(_ => StopNow());
        CommonReceives();
    }

    private void Working()
    {
        Receive<ShardLease>(OnLease);
        Receive<NoWorkYet>(n =>
        {
            if (_slots.OnNoWork(n)) Timers.StartSingleTimer("request-again", new RequestAgain(), n.RetryAfter);
        });
        Receive<RequestAgain>(_ => RequestMore());
        Receive<LeaseRenewed>(_ => { });
        Receive<LeaseLost>(l =>
        {
            var shard = _slots.ShardOf(l.Lease);
            if (!_slots.OnLeaseLost(l.Lease)) return;
            _log.Warning("worker {0}: lease {1} (shard {2}) lost: {3}", _settings.Id, l.Lease, shard, l.Reason);
            Cancel(l.Lease);
            RequestMore();
        });
        Receive<CompletionAck>(a =>
        {
            _slots.OnAck(a.Lease);
            CheckDrained();
        });
        Receive<ShardProgress>(p =>
        {
            if (!_running.TryGetValue(p.Lease, out var r)) return;
            r.Images = p.Images;
            r.Crops = p.Crops;
        });
        Receive<ShardRunFinished>(f =>
        {
            if (_running.Remove(f.Lease, out var r)) r.Cancel.Dispose();
            if (_slots.OnShardWritten(f.Lease, f.Manifest) is not { } done) return;
            _imagesDone += f.Manifest.Images + f.Manifest.Errors;
            _cropsDone += f.Manifest.Crops;
            _coordinator.Tell(done);
            RequestMore();
        });
        Receive<ShardRunFailed>(f =>
        {
            if (_ended) return; // cancelled because the job ended or this worker was refused: not a shard failure
            if (_running.Remove(f.Lease, out var r)) r.Cancel.Dispose();
            var shard = _slots.ShardOf(f.Lease);
            if (_slots.OnShardFailed(f.Lease, f.Reason) is not { } failed) { CheckDrained(); return; } // cancelled after LeaseLost or a stop
            _log.Warning("worker {0}: shard {1} failed: {2}", _settings.Id, shard, f.Reason);
            _settings.Metrics?.ShardFailed();
            _coordinator.Tell(failed);
            RequestMore();
        });
        Receive<RenewTick>(_ => { if (_slots.Renewal() is { } renew) _coordinator.Tell(renew); });
        Receive<ProgressTick>(_ => _coordinator.Tell(new ProgressProtocol.WorkerProgress(_settings.Id,
            _imagesDone + _running.Values.Sum(r => (long)r.Images), _cropsDone + _running.Values.Sum(r => r.Crops),
            _running.Count, _settings.Clock.GetUtcNow())));
        Receive<StopWorking>(s =>
        {
            _log.Info("worker {0}: stopping ({1} shard(s) running, grace {2} s)", _settings.Id, _slots.Running.Count, s.Grace.TotalSeconds);
            if (s.Grace <= TimeSpan.Zero) HandBack();
            else
            {
                _slots.Stop(handBack: false);
                Timers.StartSingleTimer("grace", new GraceOver(), s.Grace);
            }
            CheckDrained();
        });
        Receive<GraceOver>(_ =>
        {
            HandBack();
            CheckDrained();
        });
        CommonReceives();
    }

    private void CommonReceives()
    {
        Receive<ResendTick>(_ =>
        {
            foreach (var m in _slots.DueResends()) _coordinator.Tell(m);
        });
        Receive<JobFinished>(f =>
        {
            _log.Info("worker {0}: job finished ({1})", _settings.Id, f.Succeeded ? "complete" : f.Reason);
            End(f);
        });
        Receive<WorkProtocol.WorkerRefused>(r =>
        {
            // The node prints the outcome, reason included, as its one line.
            if (!_ended) _log.Debug("worker {0}: refused by the coordinator: {1}", _settings.Id, r.Reason);
            End(new JobFinished(_runId, false, $"refused by the coordinator: {r.Reason}"));
        });
        Receive<JobSpec>(_ => { }); // answers to retried registrations
        Receive<CoordinatorStopping>(c =>
        {
            _log.Info("worker {0}: the coordinator of {1} is stopping before the job ended; this worker will rejoin", _settings.Id, c.RunId);
            _onCoordinatorStopping();
        });
    }

    private void End(JobFinished outcome)
    {
        if (_ended) return;
        _ended = true;
        foreach (var lease in _running.Keys.ToList()) Cancel(lease);
        Timers.CancelAll();
        _onFinished(outcome);
    }

    private void HandBack()
    {
        foreach (var lease in _slots.Stop(handBack: true))
        {
            _coordinator.Tell(_slots.ReleaseOf(lease.Lease));
            Cancel(lease.Lease);
        }
    }

    private void StopNow()
    {
        _slots.Stop(handBack: true);
        _onStopped();
    }

    private void CheckDrained()
    {
        if (_slots.Stopping && _slots.Drained) _onStopped();
    }

    private void Cancel(LeaseId lease)
    {
        if (_running.Remove(lease, out var r)) r.Cancel.Cancel();
    }

    private void RequestMore()
    {
        if (_runtime is null || _slots.NextRequest() is not { } request) return;
        Timers.Cancel("request-again");
        _coordinator.Tell(request);
    }

    private void OnLease(ShardLease lease)
    {
        switch (_runtime is null ? LeaseStep.Release : _slots.OnLease(lease))
        {
            case LeaseStep.Ignore: return;
            case LeaseStep.Release:
                _coordinator.Tell(_slots.ReleaseOf(lease.Lease));
                return;
        }
        _log.Info("worker {0}: lease {1} shard {2} started", _settings.Id, lease.Lease, lease.ShardId);
        var cancel = new CancellationTokenSource();
        _running[lease.Lease] = new Running(cancel);
        var self = Self;
        var runtime = _runtime!;
        var token = cancel.Token;
        // Not Task.Factory.StartNew(async …, LongRunning): that thread would end at the first await and inference would go
        // on on the pool the mailboxes share. RunShardAsync gives inference a thread of its own (ShardEvaluator.EvaluateAsync);
        // Task.Run only keeps the first synchronous steps (opening the shard's reader) off this mailbox.
        Task.Run(() => runtime.RunShardAsync(lease.Shard, (images, crops) => self.Tell(new ShardProgress(lease.Lease, images, crops)), token), CancellationToken.None)
            .PipeTo(self, success: m => new ShardRunFinished(lease.Lease, m), failure: e => new ShardRunFailed(lease.Lease, Reason(e)));
        RequestMore();
    }

    protected override void Unhandled(object message)
    {
        _log.Warning("worker {0}: unexpected message {1} ignored", _settings.Id, message.GetType().Name);
        base.Unhandled(message);
    }

    /// <summary>The one-line reason a user sees, worded as the CLI words the same failure.</summary>
    public static string Reason(Exception e) => FailureReasons.Describe(e);
}

public static class WorkerActorHosting
{
    /// <summary>
    /// <paramref name="count"/> worker actors on this node, talking to the job singleton through its proxy (registered by
    /// <see cref="AddJobSingletonProxy"/> or by the coordinator's singleton registration), named <c>worker-N</c>.
    /// </summary>
    public static AkkaConfigurationBuilder AddWorkers(this AkkaConfigurationBuilder builder, int count, Func<int, WorkerSettings> settings,
        Action<JobFinished> onFinished, Action? onStopped = null, Action? onCoordinatorStopping = null)
        => builder.WithActors((system, registry) =>
        {
            var proxy = registry.Get<JobSingletonKey>();
            for (int i = 0; i < count; i++)
                system.ActorOf(Props.Create(() => new WorkerActor(settings(i), proxy, onFinished, onStopped, onCoordinatorStopping)), $"worker-{i}");
        });

    /// <summary>On a worker-only node: a proxy that finds the job singleton on the coordinator role wherever it runs.</summary>
    public static AkkaConfigurationBuilder AddJobSingletonProxy(this AkkaConfigurationBuilder builder)
        => builder.WithSingletonProxy<JobSingletonKey>(ClusterRoles.JobSingleton, new ClusterSingletonOptions { Role = ClusterRoles.Coordinator });
}
