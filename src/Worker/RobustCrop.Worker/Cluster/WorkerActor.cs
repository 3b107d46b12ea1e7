using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Event;
using Akka.Hosting;
using RobustCrop.Cluster.Protocol;
using RobustCrop.IO;
using static RobustCrop.Cluster.Protocol.WorkProtocol;

namespace RobustCrop.Worker.Cluster;

/// <summary>
/// Pulls shards from the job singleton and runs each on a dedicated thread: the mailbox only ever sees messages
/// (leases, progress, results piped back), never inference. Every request and completion is resent until answered,
/// with the same correlation id, because a message in flight when a node is removed is simply gone.
/// </summary>
public sealed class WorkerActor : ReceiveActor, IWithTimers
{
    private sealed record RuntimeReady(JobRuntime Runtime);
    private sealed record RuntimeFailed(string Reason);
    private sealed record ShardProgress(LeaseId Lease, int Images, long Crops);
    private sealed record ShardRunFinished(LeaseId Lease, ManifestSummary Manifest);
    private sealed record ShardRunFailed(LeaseId Lease, string Reason);
    private sealed record Tick(string What);

    private sealed class Running(ShardLease lease, CancellationTokenSource cancel)
    {
        public ShardLease Lease { get; } = lease;
        public CancellationTokenSource Cancel { get; } = cancel;
        public int Images { get; set; }
        public long Crops { get; set; }
    }

    private readonly WorkerSettings _settings;
    private readonly IActorRef _coordinator;
    private readonly Action<JobFinished> _onFinished;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<LeaseId, Running> _running = [];
    // With the time each was last sent: only what has waited a whole retry interval is resent, so an acknowledgement
    // already on its way does not provoke a duplicate (bench-cluster counted 173 with 64 workers before this).
    private readonly Dictionary<LeaseId, (IClusterMessage Message, DateTime Sent)> _unacked = [];
    private JobRuntime? _runtime;
    private RequestWork? _pending;
    private IClusterMessage? _failure;
    private long _imagesDone, _cropsDone;

    public WorkerActor(WorkerSettings settings, IActorRef coordinator, Action<JobFinished> onFinished)
    {
        _settings = settings;
        _coordinator = coordinator;
        _onFinished = onFinished;
        Registering();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        _coordinator.Tell(Register);
        Timers.StartPeriodicTimer("register", new Tick("register"), _settings.RetryInterval);
    }

    protected override void PostStop()
    {
        foreach (var r in _running.Values) r.Cancel.Cancel();
        // Shard threads still hold the sessions until their cancellation is observed; they finish on their own.
        if (_running.Count == 0) _runtime?.Dispose();
    }

    private RegisterWorker Register => new(_settings.Id, _settings.Capacity, _settings.Device);

    private void Registering()
    {
        Receive<Tick>(t => t.What == "register", _ => _coordinator.Tell(Register));
        Receive<JobSpec>(spec =>
        {
            Timers.Cancel("register");
            _log.Info("worker {0}: job {1}, loading models", _settings.Id, spec.Run.RunId);
            var settings = _settings;
            // Synchronous from start to end, so LongRunning really keeps a thread of its own for the seconds of loading.
            Task.Factory.StartNew(() => JobRuntime.Load(spec, settings), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)
                .PipeTo(Self, success: r => new RuntimeReady(r), failure: e => new RuntimeFailed(Reason(e)));
            Become(Loading);
        });
        CommonReceives();
    }

    private void Loading()
    {
        Receive<RuntimeReady>(r =>
        {
            _runtime = r.Runtime;
            Timers.StartPeriodicTimer("renew", new Tick("renew"), _settings.RenewInterval);
            Timers.StartPeriodicTimer("progress", new Tick("progress"), _settings.ProgressInterval);
            Timers.StartPeriodicTimer("resend", new Tick("resend"), _settings.RetryInterval);
            Become(Working);
            RequestMore();
        });
        Receive<RuntimeFailed>(f =>
        {
            _log.Error("worker {0}: cannot run the job: {1}", _settings.Id, f.Reason);
            _failure = new WorkerFailed(_settings.Id, f.Reason);
            _coordinator.Tell(_failure);
            Timers.StartPeriodicTimer("resend", new Tick("resend"), _settings.RetryInterval);
            Become(Failed);
        });
        CommonReceives();
    }

    private void Failed()
    {
        Receive<Tick>(t => t.What == "resend", _ => { if (_failure is not null) _coordinator.Tell(_failure); });
        CommonReceives();
    }

    private void Working()
    {
        Receive<ShardLease>(OnLease);
        Receive<NoWorkYet>(n =>
        {
            if (_pending?.CorrelationId != n.CorrelationId) return;
            _pending = null;
            Timers.Cancel("request");
            Timers.StartSingleTimer("request-again", new Tick("request-again"), n.RetryAfter);
        });
        Receive<LeaseRenewed>(_ => { });
        Receive<LeaseLost>(l =>
        {
            if (!_running.Remove(l.Lease, out var r)) return;
            _log.Warning("worker {0}: lease {1} (shard {2}) lost: {3}", _settings.Id, l.Lease, r.Lease.ShardId, l.Reason);
            r.Cancel.Cancel();
            RequestMore();
        });
        Receive<CompletionAck>(a => _unacked.Remove(a.Lease));
        Receive<ShardProgress>(p =>
        {
            if (!_running.TryGetValue(p.Lease, out var r)) return;
            r.Images = p.Images;
            r.Crops = p.Crops;
        });
        Receive<ShardRunFinished>(f =>
        {
            if (!_running.Remove(f.Lease, out var r)) return;
            _imagesDone += f.Manifest.Images + f.Manifest.Errors;
            _cropsDone += f.Manifest.Crops;
            r.Cancel.Dispose();
            var done = new ShardCompleted(_settings.Id, f.Lease, f.Manifest);
            _unacked[f.Lease] = (done, DateTime.UtcNow);
            _coordinator.Tell(done);
            RequestMore();
        });
        Receive<ShardRunFailed>(f =>
        {
            if (!_running.Remove(f.Lease, out var r)) return; // cancelled after LeaseLost: already forgotten
            r.Cancel.Dispose();
            _log.Warning("worker {0}: shard {1} failed: {2}", _settings.Id, r.Lease.ShardId, f.Reason);
            var failed = new ShardFailed(_settings.Id, f.Lease, r.Lease.ShardId, f.Reason);
            _unacked[f.Lease] = (failed, DateTime.UtcNow);
            _coordinator.Tell(failed);
            RequestMore();
        });
        Receive<Tick>(t =>
        {
            switch (t.What)
            {
                case "request":
                    if (_pending is not null) _coordinator.Tell(_pending);
                    break;
                case "request-again":
                    RequestMore();
                    break;
                case "renew":
                    if (_running.Count > 0) _coordinator.Tell(new RenewLease(_settings.Id, [.. _running.Keys]));
                    break;
                case "progress":
                    _coordinator.Tell(new ProgressProtocol.WorkerProgress(_settings.Id,
                        _imagesDone + _running.Values.Sum(r => (long)r.Images), _cropsDone + _running.Values.Sum(r => r.Crops),
                        _running.Count, DateTimeOffset.UtcNow));
                    break;
                case "resend":
                    var now = DateTime.UtcNow;
                    foreach (var (lease, (message, sent)) in _unacked.ToList())
                    {
                        if (now - sent < _settings.RetryInterval) continue;
                        _coordinator.Tell(message);
                        _unacked[lease] = (message, now);
                    }
                    break;
            }
        });
        CommonReceives();
    }

    private void CommonReceives()
    {
        Receive<JobFinished>(f =>
        {
            _log.Info("worker {0}: job finished ({1})", _settings.Id, f.Succeeded ? "complete" : f.Reason);
            foreach (var r in _running.Values) r.Cancel.Cancel();
            Timers.CancelAll();
            _onFinished(f);
        });
        Receive<JobSpec>(_ => { }); // answers to retried registrations
        ReceiveAny(_ => { });
    }

    private void RequestMore()
    {
        int free = _settings.Capacity - _running.Count;
        if (free <= 0 || _pending is not null) return;
        Timers.Cancel("request-again");
        _pending = new RequestWork(_settings.Id, free, Guid.NewGuid());
        _coordinator.Tell(_pending);
        Timers.StartPeriodicTimer("request", new Tick("request"), _settings.RetryInterval);
    }

    private void OnLease(ShardLease lease)
    {
        if (_running.ContainsKey(lease.Lease) || _unacked.ContainsKey(lease.Lease)) return; // an answer to a resent request
        if (_pending?.CorrelationId == lease.CorrelationId)
        {
            _pending = null;
            Timers.Cancel("request");
        }
        if (_running.Count >= _settings.Capacity || _runtime is null)
        {
            _coordinator.Tell(new ReleaseLease(_settings.Id, lease.Lease));
            return;
        }
        _log.Info("worker {0}: lease {1} shard {2} started", _settings.Id, lease.Lease, lease.ShardId);
        var cancel = new CancellationTokenSource();
        var running = new Running(lease, cancel);
        _running[lease.Lease] = running;
        var self = Self;
        var runtime = _runtime;
        var token = cancel.Token;
        // Not Task.Factory.StartNew(async …, LongRunning): that thread would end at the first await and inference would go
        // on on the pool the mailboxes share. RunShardAsync gives inference a thread of its own (ShardEvaluator.EvaluateAsync);
        // Task.Run only keeps the first synchronous steps (opening the shard's reader) off this mailbox.
        Task.Run(() => runtime.RunShardAsync(lease.Shard, (images, crops) => self.Tell(new ShardProgress(lease.Lease, images, crops)), token), CancellationToken.None)
            .PipeTo(self, success: m => new ShardRunFinished(lease.Lease, m), failure: e => new ShardRunFailed(lease.Lease, Reason(e)));
        RequestMore();
    }

    /// <summary>The one-line reason a user sees, worded as the CLI words the same failure.</summary>
    public static string Reason(Exception e) => FailureReasons.Describe(e);
}

public static class WorkerActorHosting
{
    /// <summary>
    /// <paramref name="count"/> worker actors on this node, talking to the job singleton through its proxy (registered by
    /// <see cref="AddJobSingletonProxy"/> or by the coordinator's singleton registration).
    /// </summary>
    public static AkkaConfigurationBuilder AddWorkers(this AkkaConfigurationBuilder builder, int count, Func<int, WorkerSettings> settings, Action<JobFinished> onFinished)
        => builder.WithActors((system, registry) =>
        {
            var proxy = registry.Get<JobSingletonKey>();
            for (int i = 0; i < count; i++)
                system.ActorOf(Props.Create(() => new WorkerActor(settings(i), proxy, onFinished)), $"worker-{i}");
        });

    /// <summary>On a worker-only node: a proxy that finds the job singleton on the coordinator role wherever it runs.</summary>
    public static AkkaConfigurationBuilder AddJobSingletonProxy(this AkkaConfigurationBuilder builder)
        => builder.WithSingletonProxy<JobSingletonKey>(ClusterRoles.JobSingleton, new ClusterSingletonOptions { Role = ClusterRoles.Coordinator });
}
