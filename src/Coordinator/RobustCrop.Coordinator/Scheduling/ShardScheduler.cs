using System.Collections.Immutable;
using RobustCrop.Cluster.Protocol;
using RobustCrop.Core.Data;
using static RobustCrop.Cluster.Protocol.WorkProtocol;

namespace RobustCrop.Coordinator.Scheduling;

/// <summary>What to do with a worker's "shard done".</summary>
public enum CompletionStep
{
    /// <summary>First report for this shard: read its manifest and files from the job's store, then call <see cref="ShardScheduler.Verified"/> or <see cref="ShardScheduler.Rejected"/>.</summary>
    Verify,
    /// <summary>The shard is done already (fixed file names, manifest last: harmless); acknowledge.</summary>
    Duplicate,
    /// <summary>Another report of the shard is being verified: no answer, the worker resends and gets the verdict then.</summary>
    Pending,
}

/// <summary>What a failed shard does to the job.</summary>
public enum FailureStep
{
    /// <summary>The lease was no longer live (re-queued or done): nothing changes.</summary>
    Ignored,
    Requeued,
    /// <summary>The shard failed <see cref="CoordinatorSettings.MaxAttempts"/> times: the job fails with this reason.</summary>
    JobFails,
}

/// <summary>Totals for status lines and metrics.</summary>
public sealed record SchedulerCounts(int Total, int Done, int Leased, int Queued, int Workers, long LeasesGranted, int Verifying);

/// <summary>One worker as the scheduler knows it.</summary>
public sealed record WorkerView(WorkerId Id, string Address, int Leased, int ShardsDone);

/// <summary>
/// The job's shard queue and leases, with no actor and no I/O: every decision of the job singleton is a call here that
/// returns the messages to send, so it is tested with plain calls and a <see cref="TimeProvider"/> the test moves.
/// Requests are idempotent by correlation id (a resent request gets the leases already granted for it), completions by
/// shard id (a shard is done once), and a completion counts only after the caller verified the shard's files.
/// </summary>
public sealed class ShardScheduler(CoordinatorSettings settings, TimeProvider clock)
{
    private sealed record Lease(LeaseId Id, DatasetShard Shard, WorkerId Worker, string Address, DateTimeOffset Expires);

    private sealed class WorkerRecord(string address)
    {
        public string Address { get; set; } = address;
        public Guid LastRequest { get; set; }
        public List<LeaseId> LastGranted { get; } = [];
        public int ShardsDone { get; set; }
        public string? RefusedBecause { get; set; }
    }

    private readonly LinkedList<DatasetShard> _queue = [];
    // Each shard's queue node, so a completion or a duplicate re-queue is O(1) at 100,000 shards.
    private readonly Dictionary<ShardId, LinkedListNode<DatasetShard>> _queued = [];
    private readonly Dictionary<LeaseId, Lease> _leases = [];
    private readonly HashSet<ShardId> _done = [];
    private readonly Dictionary<ShardId, DatasetShard> _planned = [];
    // The plan's shards not done yet: the job is complete when it is empty; a completion of a shard outside the plan
    // (one a restarted plan already skips) does not count towards it.
    private readonly HashSet<ShardId> _remaining = [];
    private readonly HashSet<ShardId> _verifying = [];
    private readonly Dictionary<ShardId, int> _failures = [];
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

    public SchedulerCounts Counts => new(_total, _total - _remaining.Count, _leases.Count, _queue.Count, _workers.Count, _nextLease, _verifying.Count);

    public IReadOnlyList<WorkerView> Workers => [.. _workers
        .OrderBy(kv => kv.Key.Value, StringComparer.Ordinal)
        .Select(kv => new WorkerView(kv.Key, kv.Value.Address, _leases.Values.Count(l => l.Worker == kv.Key), kv.Value.ShardsDone))];

    /// <summary>The shards to run (the store's done ones already left out); a shard reported done before the plan stays done.</summary>
    public void Plan(IEnumerable<DatasetShard> todo)
    {
        foreach (var s in todo)
        {
            if (!_planned.TryAdd(s.Id, s)) continue;
            _total++;
            if (_done.Contains(s.Id)) continue;
            _remaining.Add(s.Id);
            _queued[s.Id] = _queue.AddLast(s);
        }
        Planned = true;
    }

    /// <summary>The events since the last call, oldest first.</summary>
    public ImmutableArray<SchedulingEvent> DrainEvents()
    {
        var drained = _events.ToImmutableArray();
        _events.Clear();
        return drained;
    }

    /// <summary>A worker registers: null when it may work, else the one-line reason it is refused.</summary>
    public string? Register(WorkerId worker, string address, int protocolVersion)
    {
        if (protocolVersion != ProtocolVersion.Current)
            return Refuse(worker, address, $"protocol version {protocolVersion} (this coordinator speaks {ProtocolVersion.Current}); run the same RobustCrop release on every node");
        return Track(worker, address).RefusedBecause;
    }

    /// <summary>Answers a request: up to <paramref name="capacity"/> leases, <see cref="NoWorkYet"/> or <see cref="WorkerRefused"/>.</summary>
    public ImmutableArray<IClusterMessage> Request(WorkerId worker, string address, int capacity, Guid correlation)
    {
        var w = Track(worker, address);
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
        while (granted.Count < capacity && _queue.First is { } next)
        {
            _queue.RemoveFirst();
            _queued.Remove(next.Value.Id);
            var lease = new Lease(new LeaseId(++_nextLease), next.Value, worker, address, now + settings.LeaseDuration);
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
    public CompletionStep Complete(WorkerId worker, LeaseId lease, ShardId shard)
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
    public void Verified(WorkerId worker, LeaseId lease, ManifestSummary manifest)
    {
        var shard = manifest.Shard;
        _verifying.Remove(shard);
        if (!_done.Add(shard)) return;
        _remaining.Remove(shard);
        // Other leases of the same shard (it was re-queued meanwhile) are revoked at their next renewal.
        foreach (var other in _leases.Values.Where(l => l.Shard.Id == shard).Select(l => l.Id).ToList()) _leases.Remove(other);
        if (_queued.Remove(shard, out var node)) _queue.Remove(node);
        if (_workers.TryGetValue(worker, out var w)) w.ShardsDone++;
        _events.Add(new ShardDone(shard, lease, worker, manifest));
    }

    /// <summary>
    /// The worker reported a shard whose files are not in the job's store (it writes somewhere else): the worker is refused
    /// from now on and every shard it holds goes back to the queue for a worker that writes where the job says.
    /// </summary>
    public void Rejected(WorkerId worker, ShardId shard, string reason)
    {
        _verifying.Remove(shard);
        var w = _workers.GetValueOrDefault(worker);
        Refuse(worker, w?.Address ?? "?", reason);
        foreach (var l in _leases.Values.Where(l => l.Worker == worker).ToList()) Requeue(l, RequeueReason.Rejected, reason);
        // Its own lease may have expired (and the shard been re-leased) already; the shard must not be lost either way.
        if (_remaining.Contains(shard) && !_queued.ContainsKey(shard) && _leases.Values.All(l => l.Shard.Id != shard)
            && _planned.TryGetValue(shard, out var planned))
        {
            EnqueueFirst(planned);
            _requeues[RequeueReason.Rejected]++;
            _events.Add(new ShardRequeued(shard, new LeaseId(0), worker, RequeueReason.Rejected, reason));
        }
    }

    /// <summary>The shard's manifest could not be read back to verify it (the store did not answer): a failure of the
    /// shard, counted against its attempts, not of the worker.</summary>
    public FailureStep VerifyFailed(LeaseId lease, ShardId shard, string reason)
    {
        _verifying.Remove(shard);
        return Failed(lease, reason);
    }

    /// <summary>The worker could not run the shard.</summary>
    public FailureStep Failed(LeaseId lease, string reason)
    {
        if (!_leases.TryGetValue(lease, out var l) || _done.Contains(l.Shard.Id)) return FailureStep.Ignored;
        int failures = _failures[l.Shard.Id] = _failures.GetValueOrDefault(l.Shard.Id) + 1;
        if (failures >= settings.MaxAttempts)
        {
            _leases.Remove(lease);
            return FailureStep.JobFails;
        }
        Requeue(l, RequeueReason.Failed, reason);
        return FailureStep.Requeued;
    }

    /// <summary>The worker hands a lease back (no free slot, or it is stopping): re-queued first, not a failure.</summary>
    public void Release(WorkerId worker, LeaseId lease, string? why = null)
    {
        if (_leases.TryGetValue(lease, out var l) && l.Worker == worker) Requeue(l, RequeueReason.Released, why);
    }

    /// <summary>A node left the cluster: its workers are forgotten and their leases re-queued at once.</summary>
    public void NodeRemoved(string address, string reason)
    {
        foreach (var (id, _) in _workers.Where(kv => kv.Value.Address == address).ToList())
        {
            _workers.Remove(id);
            _events.Add(new WorkerLeft(id, reason));
        }
        foreach (var l in _leases.Values.Where(l => l.Address == address).ToList()) Requeue(l, RequeueReason.WorkerRemoved, null);
    }

    /// <summary>Re-queues every lease not renewed in time; call it on a timer.</summary>
    public void ExpireLeases()
    {
        var now = clock.GetUtcNow();
        foreach (var l in _leases.Values.Where(l => l.Expires < now).ToList()) Requeue(l, RequeueReason.LeaseExpired, null);
    }

    private WorkerRecord Track(WorkerId worker, string address)
    {
        if (_workers.TryGetValue(worker, out var w))
        {
            w.Address = address;
            return w;
        }
        w = new WorkerRecord(address);
        _workers[worker] = w;
        _events.Add(new WorkerJoined(worker, address));
        return w;
    }

    private string Refuse(WorkerId worker, string address, string reason)
    {
        var w = Track(worker, address);
        if (w.RefusedBecause is null)
        {
            w.RefusedBecause = reason;
            _events.Add(new Scheduling.WorkerRefused(worker, reason));
        }
        return w.RefusedBecause;
    }

    private void Requeue(Lease l, RequeueReason reason, string? detail)
    {
        _leases.Remove(l.Id);
        if (_done.Contains(l.Shard.Id) || _queued.ContainsKey(l.Shard.Id)) return;
        EnqueueFirst(l.Shard);
        _requeues[reason]++;
        _events.Add(new ShardRequeued(l.Shard.Id, l.Id, l.Worker, reason, detail));
    }

    private void EnqueueFirst(DatasetShard shard) => _queued[shard.Id] = _queue.AddFirst(shard);

    private static ShardLease ToMessage(Lease l, Guid correlation) => new(l.Id, l.Shard.Id, l.Shard, l.Expires, correlation);
}
