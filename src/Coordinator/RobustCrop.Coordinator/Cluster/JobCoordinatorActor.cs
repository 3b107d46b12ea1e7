using System.Collections.Immutable;
using System.Globalization;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Hosting;
using Akka.Event;
using Akka.Hosting;
using RobustCrop.Cluster.Protocol;
using RobustCrop.Core.Data;
using RobustCrop.Core.Results;
using RobustCrop.IO;
using static RobustCrop.Cluster.Protocol.WorkProtocol;

namespace RobustCrop.Coordinator.Cluster;

/// <summary>
/// The job singleton: plans shards, leases them to workers that ask, re-queues the shards of workers that are removed,
/// fail or stop renewing, and aggregates when every shard has a manifest. Requests are idempotent by correlation id
/// and completions by shard id, so any message may be resent. It reports through <see cref="JobEvent"/>s on the
/// EventStream, never by calling out: the edge (<see cref="JobEventFeed"/>) turns them into console output and the
/// outcome. A supervision restart is not the end of the job: the new incarnation re-plans from the store, which skips
/// every shard whose manifest is written, and workers carry on (their old leases are answered "lost" and re-queued).
/// </summary>
public sealed class JobCoordinatorActor : ReceiveActor, IWithTimers
{
    // Piped results carry the incarnation that asked: after a restart the old incarnation's plan or aggregation (or
    // its cancellation) lands in the same mailbox and must not be taken for the new one's.
    private sealed record PlanReady(Guid Incarnation, JobPlan Plan);
    private sealed record PlanFailed(Guid Incarnation, string Reason);
    private sealed record Aggregated(Guid Incarnation, RunSummary? Summary);
    private sealed record AggregateFailed(Guid Incarnation, string Reason);
    private sealed record Tick;

    private sealed record Lease(LeaseId Id, DatasetShard Shard, WorkerId Worker, Address Address, DateTimeOffset Expires);

    private sealed class WorkerState(IActorRef actor)
    {
        public IActorRef Actor { get; set; } = actor;
        public Address Address => Actor.Path.Address;
        public Guid LastRequest { get; set; }
        public List<LeaseId> LastGranted { get; } = [];
        public long Images { get; set; }
        public long Crops { get; set; }
        public long ImagesAtLastStatus { get; set; }

        /// <summary>After a restart: the worker's first report, which counts shards the new plan already skips.</summary>
        public (long Images, long Crops)? Baseline { get; set; }
        public int ShardsDone { get; set; }
    }

    private readonly JobSpec _spec;
    private readonly IJobBackend _backend;
    private readonly CoordinatorSettings _settings;
    private readonly Guid _incarnation = Guid.NewGuid();
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly LinkedList<DatasetShard> _queue = [];
    private readonly Dictionary<LeaseId, Lease> _leases = [];
    private readonly HashSet<ShardId> _done = [];
    // The plan's shards not done yet: the job is complete when it is empty (a completion of a shard outside the plan,
    // one a restarted plan already skips, must not count towards it).
    private readonly HashSet<ShardId> _remaining = [];
    private readonly Dictionary<ShardId, int> _failures = [];
    private readonly Dictionary<WorkerId, WorkerState> _workers = [];
    private readonly Dictionary<string, string> _devices = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private JobPlan? _plan;
    private JobFinished? _finished;
    private bool _aggregating;
    private long _nextLease;
    private DateTimeOffset _lastStatus = DateTimeOffset.UtcNow;
    private long _leasesGranted;
    private string? _restartedAfter;

    public JobCoordinatorActor(JobSpec spec, IJobBackend backend, CoordinatorSettings settings)
    {
        _spec = spec;
        _backend = backend;
        _settings = settings;

        Receive<PlanReady>(p => p.Incarnation == _incarnation, OnPlan);
        Receive<PlanFailed>(f => f.Incarnation == _incarnation, f => Fail(f.Reason));
        Receive<RegisterWorker>(OnRegister);
        Receive<RequestWork>(OnRequest);
        Receive<RenewLease>(OnRenew);
        Receive<ShardCompleted>(OnCompleted);
        Receive<ShardFailed>(OnFailed);
        Receive<ReleaseLease>(r =>
        {
            if (_leases.Remove(r.Lease, out var l) && !_done.Contains(l.Shard.Id)) _queue.AddFirst(l.Shard);
        });
        Receive<WorkerFailed>(f => Fail($"worker {f.Worker}: {f.Reason}"));
        Receive<ProgressProtocol.WorkerProgress>(OnProgress);
        Receive<ClusterEvent.MemberRemoved>(m => OnNodeGone(m.Member.Address, "worker-removed"));
        Receive<Aggregated>(a => a.Incarnation == _incarnation, a => Finish(a.Summary));
        Receive<AggregateFailed>(f => f.Incarnation == _incarnation, f => Fail(f.Reason));
        Receive<Tick>(_ => OnTick());
        ReceiveAny(_ => { });
    }

    private void Publish(JobEvent e) => Context.System.EventStream.Publish(e);

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.MemberRemoved));
        Timers.StartPeriodicTimer("tick", new Tick(), _settings.TickInterval);
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
        if (_finished is null) Publish(new JobEnded(_spec.Run.RunId.Value, new JobOutcome(null, JobEventFeed.StoppedBeforeCompletion)));
    }

    private void StopBackgroundWork()
    {
        _stopping.Cancel();
        Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
    }

    private void OnPlan(PlanReady p)
    {
        _plan = p.Plan;
        foreach (var s in p.Plan.ToDo)
        {
            // A completion can arrive before a restarted incarnation's plan: the shard is done, not queued.
            if (_done.Contains(s.Id)) continue;
            _queue.AddLast(s);
            _remaining.Add(s.Id);
        }
        Publish(new JobPlanned(_spec.Run.RunId.Value, p.Plan, _restartedAfter));
        _log.Info("plan: {0} shard(s) to run, {1} already done", p.Plan.ToDo.Length, p.Plan.SkippedShards);
        CheckComplete();
    }

    private WorkerState Track(WorkerId id)
    {
        if (_workers.TryGetValue(id, out var w))
        {
            w.Actor = Sender;
            return w;
        }
        w = new WorkerState(Sender);
        _workers[id] = w;
        Publish(new JobSchedulingEvent(_spec.Run.RunId.Value, $"worker_joined worker={id} address={Sender.Path.Address}"));
        return w;
    }

    private void OnRegister(RegisterWorker r)
    {
        Track(r.Worker);
        Sender.Tell(_spec);
        if (_finished is not null) Sender.Tell(_finished);
    }

    private void OnRequest(RequestWork r)
    {
        if (_finished is not null) { Sender.Tell(_finished); return; }
        var w = Track(r.Worker);
        if (w.LastRequest == r.CorrelationId)
        {
            // A resent request: the first answer was lost (or is late). Answer with what was granted, never grant twice.
            var still = w.LastGranted.Where(_leases.ContainsKey).Select(id => _leases[id]).ToList();
            if (still.Count == 0) Sender.Tell(new NoWorkYet(r.CorrelationId, _settings.NoWorkRetry));
            foreach (var l in still) Sender.Tell(new ShardLease(l.Id, l.Shard.Id, l.Shard, l.Expires, r.CorrelationId));
            return;
        }
        w.LastRequest = r.CorrelationId;
        w.LastGranted.Clear();
        if (_plan is null || _aggregating) { Sender.Tell(new NoWorkYet(r.CorrelationId, _settings.NoWorkRetry)); return; }
        for (int i = 0; i < r.Capacity && _queue.First is { } next; i++)
        {
            _queue.RemoveFirst();
            if (_done.Contains(next.Value.Id)) { i--; continue; }
            var lease = new Lease(new LeaseId(++_nextLease), next.Value, r.Worker, Sender.Path.Address, DateTimeOffset.UtcNow + _settings.LeaseDuration);
            _leases[lease.Id] = lease;
            _leasesGranted++;
            w.LastGranted.Add(lease.Id);
            Sender.Tell(new ShardLease(lease.Id, lease.Shard.Id, lease.Shard, lease.Expires, r.CorrelationId));
            _log.Debug("lease {0} shard {1} -> {2}", lease.Id, lease.Shard.Id, r.Worker);
        }
        if (w.LastGranted.Count == 0) Sender.Tell(new NoWorkYet(r.CorrelationId, _settings.NoWorkRetry));
    }

    private void OnRenew(RenewLease r)
    {
        foreach (var id in r.Leases)
        {
            if (_leases.TryGetValue(id, out var l) && l.Worker == r.Worker)
            {
                var renewed = l with { Expires = DateTimeOffset.UtcNow + _settings.LeaseDuration };
                _leases[id] = renewed;
                Sender.Tell(new LeaseRenewed(id, renewed.Expires));
            }
            else Sender.Tell(new LeaseLost(id, "re-queued"));
        }
    }

    private void OnCompleted(ShardCompleted c)
    {
        Sender.Tell(new CompletionAck(c.Lease));
        var shard = c.Manifest.Shard;
        _leases.Remove(c.Lease);
        if (!_done.Add(shard))
        {
            Publish(new JobSchedulingEvent(_spec.Run.RunId.Value, $"duplicate_completion shard={shard} lease={c.Lease} worker={c.Worker} (harmless: fixed names, manifest last)"));
            return;
        }
        _remaining.Remove(shard);
        // Another worker may hold a newer lease on the same shard (it was re-queued): revoke it at its next renewal.
        foreach (var other in _leases.Values.Where(l => l.Shard.Id == shard).Select(l => l.Id).ToList()) _leases.Remove(other);
        for (var n = _queue.First; n is not null; n = n.Next)
            if (n.Value.Id == shard) { _queue.Remove(n); break; }
        foreach (var d in c.Manifest.Devices) _devices.TryAdd(d.Model, d.Device);
        if (_workers.TryGetValue(c.Worker, out var w)) w.ShardsDone++;
        Publish(new JobSchedulingEvent(_spec.Run.RunId.Value, string.Create(CultureInfo.InvariantCulture,
            $"shard_done shard={shard} lease={c.Lease} worker={c.Worker} images={c.Manifest.Images} errors={c.Manifest.Errors} crops={c.Manifest.Crops} seconds={(c.Manifest.FinishedUtc - c.Manifest.StartedUtc).TotalSeconds:F2}")));
        CheckComplete();
    }

    private void OnFailed(ShardFailed f)
    {
        Sender.Tell(new CompletionAck(f.Lease));
        if (!_leases.Remove(f.Lease, out var l) || _done.Contains(l.Shard.Id)) return;
        int failures = _failures[l.Shard.Id] = _failures.GetValueOrDefault(l.Shard.Id) + 1;
        if (failures >= _settings.MaxAttempts) { Fail(f.Reason); return; }
        Requeue(l, $"failed: {f.Reason}");
    }

    private void OnProgress(ProgressProtocol.WorkerProgress p)
    {
        if (!_workers.TryGetValue(p.Worker, out var w)) return;
        // A worker's totals run from its own start; after a restart the new plan counts its earlier shards as skipped.
        if (_restartedAfter is not null) w.Baseline ??= (p.ImagesDone, p.CropsDone);
        w.Images = Math.Max(w.Images, p.ImagesDone - (w.Baseline?.Images ?? 0));
        w.Crops = Math.Max(w.Crops, p.CropsDone - (w.Baseline?.Crops ?? 0));
        Publish(new JobProgress(_spec.Run.RunId.Value, (_plan?.SkippedInputs ?? 0) + _workers.Values.Sum(x => x.Images), _workers.Values.Sum(x => x.Crops)));
    }

    private void OnNodeGone(Address address, string reason)
    {
        foreach (var (id, w) in _workers.Where(kv => kv.Value.Address == address).ToList())
        {
            _workers.Remove(id);
            Publish(new JobSchedulingEvent(_spec.Run.RunId.Value, $"worker_left worker={id} reason={reason}"));
        }
        foreach (var l in _leases.Values.Where(l => l.Address == address).ToList())
        {
            _leases.Remove(l.Id);
            Requeue(l, reason);
        }
    }

    private void Requeue(Lease l, string reason)
    {
        if (_done.Contains(l.Shard.Id)) return;
        _queue.AddFirst(l.Shard);
        Publish(new JobSchedulingEvent(_spec.Run.RunId.Value, $"requeued shard={l.Shard.Id} lease={l.Id} worker={l.Worker} reason={reason}"));
    }

    private void OnTick()
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var l in _leases.Values.Where(l => l.Expires < now).ToList())
        {
            _leases.Remove(l.Id);
            Requeue(l, "lease-expired");
        }
        if (now - _lastStatus < _settings.StatusInterval) return;
        double secs = Math.Max((now - _lastStatus).TotalSeconds, 1e-3);
        _lastStatus = now;
        var lines = new List<string>();
        long rateTotal = 0;
        foreach (var (id, w) in _workers.OrderBy(kv => kv.Key.Value, StringComparer.Ordinal))
        {
            long delta = w.Images - w.ImagesAtLastStatus;
            w.ImagesAtLastStatus = w.Images;
            rateTotal += delta;
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"cluster_worker worker={id} shards_done={w.ShardsDone} leased={_leases.Values.Count(l => l.Worker == id)} images={w.Images} images_per_s={delta / secs:F1}"));
        }
        lines.Insert(0, string.Create(CultureInfo.InvariantCulture,
            $"cluster shards_done={_done.Count} shards_total={_plan?.ToDo.Length.ToString(CultureInfo.InvariantCulture) ?? "?"} leased={_leases.Count} queued={_queue.Count} workers={_workers.Count} images_per_s={rateTotal / secs:F1} leases_granted={_leasesGranted}"));
        Publish(new JobStatus(_spec.Run.RunId.Value, [.. lines]));
    }

    private void CheckComplete()
    {
        if (_plan is null || _aggregating || _finished is not null || _remaining.Count > 0) return;
        _aggregating = true;
        // After a restart the skipped shards include this run's own: not a resume the user asked for.
        if (_plan.SkippedShards > 0 && _restartedAfter is null) Publish(new JobNote(_spec.Run.RunId.Value, $"resumed: {_plan.SkippedShards} shard(s) already done were skipped"));
        Publish(new JobSchedulingEvent(_spec.Run.RunId.Value, $"cluster all_shards_done={_plan.ToDo.Length} aggregating"));
        var incarnation = _incarnation;
        _backend.CompleteAsync(_devices, _stopping.Token)
            .PipeTo(Self, success: s => new Aggregated(incarnation, s), failure: e => new AggregateFailed(incarnation, FailureReasons.Describe(e)));
    }

    private void Finish(RunSummary? summary)
    {
        _finished = new JobFinished(_spec.Run.RunId.Value, true, null);
        foreach (var w in _workers.Values) w.Actor.Tell(_finished);
        Publish(new JobAllDone(_spec.Run.RunId.Value));
        Publish(new JobSchedulingEvent(_spec.Run.RunId.Value, $"cluster job_complete run_id={_spec.Run.RunId.Value} shards={_plan?.ToDo.Length}"));
        Publish(new JobEnded(_spec.Run.RunId.Value, new JobOutcome(summary, null)));
    }

    private void Fail(string reason)
    {
        if (_finished is not null) return;
        _finished = new JobFinished(_spec.Run.RunId.Value, false, reason);
        foreach (var w in _workers.Values) w.Actor.Tell(_finished);
        Publish(new JobEnded(_spec.Run.RunId.Value, new JobOutcome(null, reason)));
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
