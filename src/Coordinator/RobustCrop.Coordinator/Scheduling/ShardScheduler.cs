using System.Collections.Immutable;
using RobustCrop.Cluster.Protocol;
using RobustCrop.Core.Data;
using static RobustCrop.Cluster.Protocol.WorkProtocol;

namespace RobustCrop.Coordinator.Scheduling;

/// <summary>
/// The job's shard queue and leases, with no actor and no I/O: every decision of the job singleton is a call here that
/// returns the messages to send, so it is tested with plain calls and a <see cref="TimeProvider"/> the test moves.
/// Requests are idempotent by correlation id (a resent request gets the leases already granted for it), completions by
/// shard id (a shard is done once), and a completion counts only after the caller verified the shard's files.
/// </summary>
public sealed class ShardScheduler(CoordinatorSettings settings, TimeProvider clock)
{
    private sealed record Lease(LeaseId Id, DatasetShard Shard, WorkerId Worker, string Member, DateTimeOffset Expires);

    /// <param name="member">The sender that first named the id (its actor path, address included): the id is bound to it.</param>
    private sealed class WorkerRecord(string member)
    {
        public string Member { get; } = member;
        public bool ForeignSeen { get; set; }
        public Guid LastRequest { get; set; }
        public List<LeaseId> LastGranted { get; } = [];
        public int ShardsDone { get; set; }
        public ShardId? LastShard { get; set; }
        public string? RefusedBecause { get; set; }
    }

    private readonly ShardQueue _queue = new();
    private readonly Dictionary<LeaseId, Lease> _leases = [];
    private readonly HashSet<ShardId> _done = [];
    private readonly Dictionary<ShardId, DatasetShard> _planned = [];
    // The plan's shards not done yet: the job is complete when it is empty; a completion of a shard outside the plan
    // (one a restarted plan already skips) does not count towards it.
    private readonly HashSet<ShardId> _remaining = [];
    private readonly HashSet<ShardId> _verifying = [];
    private readonly Dictionary<ShardId, int> _failures = [];
    private readonly Dictionary<ShardId, HashSet<WorkerId>> _failedBy = [];
    private readonly Dictionary<WorkerId, WorkerRecord> _workers = [];
    private readonly Dictionary<RequeueReason, long> _requeues = Enum.GetValues<RequeueReason>().ToDictionary(r => r, _ => 0L);
    private readonly List<SchedulingEvent> _events = [];
    private long _nextLease;
    private int _total;

    /// <summary>False until <see cref="Plan"/>: requests are answered "no work yet".</summary>
    public bool Planned { get; private set; }

    /// <summary>Set while the run is aggregated: nothing more is leased.</summary>
    public bool Closed { get; set; }

    /// <summary>Every planned shard has a verified completion.</summary>
    public bool AllDone => Planned && _remaining.Count == 0;

    public IReadOnlyDictionary<RequeueReason, long> Requeues => _requeues;

    /// <summary>Workers counts those that may work (refused ones are kept until their node leaves, but do not count).</summary>
    public SchedulerCounts Counts => new(_total, _total - _remaining.Count, _leases.Count, _queue.Count,
        _workers.Values.Count(w => w.RefusedBecause is null), _nextLease, _verifying.Count);

    /// <summary>The workers that may work, by id.</summary>
    public IReadOnlyList<WorkerView> Workers => [.. _workers
        .Where(kv => kv.Value.RefusedBecause is null)
        .OrderBy(kv => kv.Key.Value, StringComparer.Ordinal)
        .Select(kv => new WorkerView(kv.Key, kv.Value.Member, _leases.Values.Count(l => l.Worker == kv.Key), kv.Value.ShardsDone))];

    /// <summary>The shards to run (the store's done ones already left out); a shard reported done before the plan stays done.</summary>
    public void Plan(IEnumerable<DatasetShard> todo)
    {
        foreach (var s in todo)
        {
            if (!_planned.TryAdd(s.Id, s)) continue;
            _total++;
            _queue.Planned(s);
            if (_done.Contains(s.Id)) continue;
            _remaining.Add(s.Id);
            _queue.AddLast(s);
        }
        Planned = true;
    }

    // The events of the call in progress: every public call that decides something returns them and starts afresh.
    private ImmutableArray<SchedulingEvent> TakeEvents()
    {
        var taken = _events.ToImmutableArray();
        _events.Clear();
        return taken;
    }

    private Decision<T> Decide<T>(T value) => new(value, TakeEvents());

    private ImmutableArray<SchedulingEvent> Events(Action call)
    {
        call();
        return TakeEvents();
    }

    /// <summary>
    /// The gate of every message that names a worker id, before any other call: the first sender to name an id owns it
    /// (any other sender's messages under it are <see cref="Admission.Foreign"/>, one event per id), and an id of a bad
    /// form or past the worker limit is <see cref="Admission.Refused"/> with <paramref name="refusal"/>, keeping nothing.
    /// </summary>
    /// <param name="member">The sender's actor path (address included).</param>
    public Decision<Admission> Admit(WorkerId worker, string member, out string? refusal) => Decide(AdmitCore(worker, member, out refusal));

    private Admission AdmitCore(WorkerId worker, string member, out string? refusal)
    {
        refusal = null;
        if (_workers.TryGetValue(worker, out var known))
        {
            if (known.Member == member) return Admission.Accepted;
            if (!known.ForeignSeen)
            {
                known.ForeignSeen = true;
                _events.Add(new ForeignSender(worker, WorkerIds.Shown(member, 200)));
            }
            return Admission.Foreign;
        }
        return Track(worker, member, out refusal) is null ? Admission.Refused : Admission.Accepted;
    }

    /// <summary>Why the worker is refused; null while it may work.</summary>
    public string? RefusalOf(WorkerId worker) => _workers.GetValueOrDefault(worker)?.RefusedBecause;

    /// <summary>A worker registers: null when it may work, else the one-line reason it is refused.</summary>
    public Decision<string?> Register(WorkerId worker, string member, int protocolVersion) => Decide(RegisterCore(worker, member, protocolVersion));

    private string? RegisterCore(WorkerId worker, string member, int protocolVersion)
    {
        if (Track(worker, member, out var refusal) is not { } w) return refusal;
        if (protocolVersion != ProtocolVersion.Current)
            return Refuse(worker, member, $"protocol version {protocolVersion} (this coordinator speaks {ProtocolVersion.Current}); run the same RobustCrop release on every node");
        return w.RefusedBecause;
    }

    /// <summary>
    /// Answers a request: up to <paramref name="capacity"/> leases (capped by <see cref="CoordinatorSettings.MaxCapacityPerWorker"/>
    /// and <see cref="CoordinatorSettings.MaxLeasesPerWorker"/>), <see cref="NoWorkYet"/> or <see cref="WorkerRefused"/>.
    /// </summary>
    public Decision<ImmutableArray<IClusterMessage>> Request(WorkerId worker, string member, int capacity, Guid correlation) => Decide(RequestCore(worker, member, capacity, correlation));

    private ImmutableArray<IClusterMessage> RequestCore(WorkerId worker, string member, int capacity, Guid correlation)
    {
        if (Track(worker, member, out var refusal) is not { } w) return [new WorkProtocol.WorkerRefused(worker, refusal!)];
        if (w.RefusedBecause is { } why) return [new WorkProtocol.WorkerRefused(worker, why)];
        var now = clock.GetUtcNow();
        if (w.LastRequest == correlation)
        {
            // A resent request: the first answer was lost or is late. Answer with what was granted, never grant twice.
            var still = w.LastGranted.Where(_leases.ContainsKey).Select(id => ToMessage(_leases[id], correlation)).ToImmutableArray<IClusterMessage>();
            return still.IsEmpty ? [new NoWorkYet(correlation, settings.NoWorkRetry)] : still;
        }
        w.LastRequest = correlation;
        w.LastGranted.Clear();
        if (!Planned || Closed) return [new NoWorkYet(correlation, settings.NoWorkRetry)];
        var granted = ImmutableArray.CreateBuilder<IClusterMessage>();
        int held = _leases.Values.Count(l => l.Worker == worker);
        int allowed = Math.Min(Math.Min(capacity, settings.MaxCapacityPerWorker), settings.MaxLeasesPerWorker - held);
        while (granted.Count < allowed && _queue.TakeFor(w.LastShard) is { } next)
        {
            w.LastShard = next.Id;
            var lease = new Lease(new LeaseId(++_nextLease), next, worker, w.Member, now + settings.LeaseDuration);
            _leases[lease.Id] = lease;
            w.LastGranted.Add(lease.Id);
            granted.Add(ToMessage(lease, correlation));
        }
        return granted.Count == 0 ? [new NoWorkYet(correlation, settings.NoWorkRetry)] : granted.ToImmutable();
    }

    /// <summary>Renews the worker's live leases; each other one is answered "lost" so the worker stops it.</summary>
    public ImmutableArray<IClusterMessage> Renew(WorkerId worker, IEnumerable<LeaseId> leases)
    {
        var now = clock.GetUtcNow();
        var answers = ImmutableArray.CreateBuilder<IClusterMessage>();
        foreach (var id in leases)
        {
            if (_leases.TryGetValue(id, out var l) && l.Worker == worker)
            {
                var renewed = l with { Expires = now + settings.LeaseDuration };
                _leases[id] = renewed;
                answers.Add(new LeaseRenewed(id, renewed.Expires));
            }
            else answers.Add(new LeaseLost(id, "re-queued"));
        }
        return answers.ToImmutable();
    }

    /// <summary>A worker says a shard is written. Whatever the lease's state, the shard's files decide (see <see cref="CompletionStep"/>).</summary>
    public Decision<CompletionStep> Complete(WorkerId worker, LeaseId lease, ShardId shard) => Decide(CompleteCore(worker, lease, shard));

    private CompletionStep CompleteCore(WorkerId worker, LeaseId lease, ShardId shard)
    {
        if (_done.Contains(shard))
        {
            _leases.Remove(lease);
            _events.Add(new DuplicateCompletion(shard, lease, worker));
            return CompletionStep.Duplicate;
        }
        return _verifying.Add(shard) ? CompletionStep.Verify : CompletionStep.Pending;
    }

    /// <summary>The shard's manifest and files are in the job's store: it is done.</summary>
    public ImmutableArray<SchedulingEvent> Verified(WorkerId worker, LeaseId lease, ManifestSummary manifest) => Events(() => VerifiedCore(worker, lease, manifest));

    private void VerifiedCore(WorkerId worker, LeaseId lease, ManifestSummary manifest)
    {
        var shard = manifest.Shard;
        _verifying.Remove(shard);
        if (!_done.Add(shard)) return;
        _remaining.Remove(shard);
        // Other leases of the same shard (it was re-queued meanwhile) are revoked at their next renewal.
        foreach (var other in _leases.Values.Where(l => l.Shard.Id == shard).Select(l => l.Id).ToList()) _leases.Remove(other);
        _queue.Remove(shard);
        if (_workers.TryGetValue(worker, out var w)) w.ShardsDone++;
        _events.Add(new ShardDone(shard, lease, worker, manifest));
    }

    /// <summary>
    /// The worker reported a shard whose files are not in the job's store (it writes somewhere else): the worker is refused
    /// from now on and every shard it holds goes back to the queue for a worker that writes where the job says.
    /// </summary>
    public ImmutableArray<SchedulingEvent> Rejected(WorkerId worker, ShardId shard, string reason) => Events(() => RejectedCore(worker, shard, reason));

    private void RejectedCore(WorkerId worker, ShardId shard, string reason)
    {
        _verifying.Remove(shard);
        Refuse(worker, _workers.GetValueOrDefault(worker)?.Member ?? "?", reason);
        RequeueAll(worker, RequeueReason.Rejected, reason);
        // Its own lease may have expired (and the shard been re-leased) already; the shard must not be lost either way.
        if (_remaining.Contains(shard) && !_queue.Contains(shard) && _leases.Values.All(l => l.Shard.Id != shard)
            && _planned.TryGetValue(shard, out var planned))
        {
            EnqueueFirst(planned);
            _requeues[RequeueReason.Rejected]++;
            _events.Add(new ShardRequeued(shard, new LeaseId(0), worker, RequeueReason.Rejected, reason));
        }
    }

    /// <summary>The shard's manifest could not be read back to verify it (the store did not answer): a failure of the
    /// shard, counted against its attempts, not of the worker.</summary>
    public Decision<FailureStep> VerifyFailed(WorkerId worker, LeaseId lease, ShardId shard, string reason)
    {
        _verifying.Remove(shard);
        return Failed(worker, lease, reason);
    }

    /// <summary>
    /// The worker could not run the shard (only its own live lease counts). Past <see cref="CoordinatorSettings.MaxAttempts"/>
    /// the shard fails the job, unless this worker alone failed it and another worker can try it: then this worker is
    /// refused, so one member cannot end the job for everyone.
    /// </summary>
    public Decision<FailureStep> Failed(WorkerId worker, LeaseId lease, string reason) => Decide(FailedCore(worker, lease, reason));

    private FailureStep FailedCore(WorkerId worker, LeaseId lease, string reason)
    {
        if (!_leases.TryGetValue(lease, out var l) || l.Worker != worker || _done.Contains(l.Shard.Id)) return FailureStep.Ignored;
        var shard = l.Shard.Id;
        reason = WorkerIds.OneLine(reason);
        int failures = _failures[shard] = _failures.GetValueOrDefault(shard) + 1;
        if (!_failedBy.TryGetValue(shard, out var failedBy)) _failedBy[shard] = failedBy = [];
        failedBy.Add(worker);
        if (failures < settings.MaxAttempts)
        {
            Requeue(l, RequeueReason.Failed, reason);
            return FailureStep.Requeued;
        }
        if (!settings.WorkersAreLocal && failedBy.Count == 1 && _workers.Any(kv => kv.Key != worker && kv.Value.RefusedBecause is null))
        {
            Refuse(worker, l.Member, $"shard {shard} failed {failures} time(s) on this worker alone: {reason}");
            Requeue(l, RequeueReason.Failed, reason);
            RequeueAll(worker, RequeueReason.Failed, "its worker was refused");
            return FailureStep.WorkerRefused;
        }
        _leases.Remove(lease);
        return FailureStep.JobFails;
    }

    /// <summary>
    /// The worker cannot run the job at all (a model that does not load on its node): in a cluster it is refused alone and
    /// its shards go back to the queue; in the embedded run every worker would fail the same way, so the job fails.
    /// </summary>
    public Decision<FailureStep> CannotRun(WorkerId worker, string member, string reason) => Decide(CannotRunCore(worker, member, reason));

    private FailureStep CannotRunCore(WorkerId worker, string member, string reason)
    {
        if (settings.WorkersAreLocal) return FailureStep.JobFails;
        Refuse(worker, member, $"cannot run the job: {WorkerIds.OneLine(reason)}");
        RequeueAll(worker, RequeueReason.Failed, "its worker cannot run the job");
        return FailureStep.WorkerRefused;
    }

    /// <summary>The worker hands a lease back (no free slot, or it is stopping): re-queued first, not a failure.</summary>
    public ImmutableArray<SchedulingEvent> Release(WorkerId worker, LeaseId lease, string? why = null) => Events(() => ReleaseCore(worker, lease, why));

    private void ReleaseCore(WorkerId worker, LeaseId lease, string? why = null)
    {
        if (_leases.TryGetValue(lease, out var l) && l.Worker == worker) Requeue(l, RequeueReason.Released, why);
    }

    /// <summary>A node left the cluster: its workers are forgotten and their leases re-queued at once.</summary>
    public ImmutableArray<SchedulingEvent> NodeRemoved(string address, string reason) => Events(() => NodeRemovedCore(address, reason));

    private void NodeRemovedCore(string address, string reason)
    {
        foreach (var (id, _) in _workers.Where(kv => OnNode(kv.Value.Member, address)).ToList())
        {
            _workers.Remove(id);
            _events.Add(new WorkerLeft(id, reason));
        }
        foreach (var l in _leases.Values.Where(l => OnNode(l.Member, address)).ToList()) Requeue(l, RequeueReason.WorkerRemoved, null);
    }

    // A member is an actor path ("akka.tcp://sys@host:port/user/worker-0") or, in plain tests, the node address itself.
    private static bool OnNode(string member, string address)
        => member.StartsWith(address, StringComparison.Ordinal) && (member.Length == address.Length || member[address.Length] == '/');

    /// <summary>Re-queues every lease not renewed in time; call it on a timer.</summary>
    public ImmutableArray<SchedulingEvent> ExpireLeases() => Events(() => ExpireLeasesCore());

    private void ExpireLeasesCore()
    {
        var now = clock.GetUtcNow();
        foreach (var l in _leases.Values.Where(l => l.Expires < now).ToList()) Requeue(l, RequeueReason.LeaseExpired, null);
    }

    /// <summary>The worker's record, new if the id is new; null with the refusal when the id cannot be kept.</summary>
    private WorkerRecord? Track(WorkerId worker, string member, out string? refusal)
    {
        refusal = null;
        if (_workers.TryGetValue(worker, out var w)) return w;
        refusal = WorkerIds.Problem(worker, settings.MaxWorkerIdLength)
            ?? (_workers.Count >= settings.MaxWorkers ? $"the coordinator already has {settings.MaxWorkers} workers, its limit" : null);
        if (refusal is not null)
        {
            // Nothing of the id is kept, and the event shows only its start: ids are chosen by the sender.
            _events.Add(new Scheduling.WorkerRefused(new WorkerId(WorkerIds.Shown(worker.Value ?? "", 40)), refusal));
            return null;
        }
        w = new WorkerRecord(member);
        _workers[worker] = w;
        _events.Add(new WorkerJoined(worker, member));
        return w;
    }

    private string Refuse(WorkerId worker, string member, string reason)
    {
        var w = Track(worker, member, out var refusal);
        if (w is null) return refusal!;
        if (w.RefusedBecause is null)
        {
            w.RefusedBecause = reason;
            _events.Add(new Scheduling.WorkerRefused(worker, reason));
        }
        return w.RefusedBecause;
    }

    private void RequeueAll(WorkerId worker, RequeueReason reason, string detail)
    {
        foreach (var l in _leases.Values.Where(l => l.Worker == worker).ToList()) Requeue(l, reason, detail);
    }

    private void Requeue(Lease l, RequeueReason reason, string? detail)
    {
        _leases.Remove(l.Id);
        // The worker's walk did not reach the shard's end: what follows it is no nearer to that worker than to any other.
        if (_workers.TryGetValue(l.Worker, out var w) && w.LastShard == l.Shard.Id) w.LastShard = null;
        if (_done.Contains(l.Shard.Id) || _queue.Contains(l.Shard.Id)) return;
        EnqueueFirst(l.Shard);
        _requeues[reason]++;
        _events.Add(new ShardRequeued(l.Shard.Id, l.Id, l.Worker, reason, detail));
    }

    private void EnqueueFirst(DatasetShard shard) => _queue.AddFirst(shard);

    private static ShardLease ToMessage(Lease l, Guid correlation) => new(l.Id, l.Shard.Id, l.Shard, l.Expires, correlation);
}
