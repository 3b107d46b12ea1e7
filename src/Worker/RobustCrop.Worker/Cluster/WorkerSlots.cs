using System.Collections.Immutable;
using RobustCrop.Cluster.Protocol;
using RobustCrop.Core.Data;
using static RobustCrop.Cluster.Protocol.WorkProtocol;

namespace RobustCrop.Worker.Cluster;

/// <summary>What to do with a lease that arrived.</summary>
public enum LeaseStep
{
    /// <summary>A slot is reserved for it: run the shard.</summary>
    Start,
    /// <summary>An answer to a resent request, already running or done: nothing.</summary>
    Ignore,
    /// <summary>No free slot (or stopping): send the <see cref="ReleaseLease"/> from <see cref="WorkerSlots.ReleaseOf"/>.</summary>
    Release,
}

/// <summary>
/// A worker's side of the work protocol with no actor and no I/O: its slots, the one request in flight, and every message
/// that must be resent until answered (registration, request, completions), each resent only after it waited a whole
/// retry interval so an answer already on its way does not provoke a duplicate. The worker actor and the bench's
/// simulated worker both drive this class, so bench-cluster measures the real protocol.
/// </summary>
public sealed class WorkerSlots(WorkerId id, int capacity, string device, TimeSpan retryInterval, TimeProvider clock)
{
    private readonly Dictionary<LeaseId, ShardLease> _running = [];
    private readonly Dictionary<LeaseId, (IClusterMessage Message, DateTimeOffset Sent)> _unacked = [];
    private (RequestWork Message, DateTimeOffset Sent)? _pending;
    private DateTimeOffset _registeredSent;

    public WorkerId Id => id;

    public int Capacity => capacity;

    /// <summary>Set by the <see cref="JobSpec"/>: until then the registration is resent.</summary>
    public bool Registered { get; private set; }

    /// <summary>Set by <see cref="Stop"/>: nothing more is asked for or started.</summary>
    public bool Stopping { get; private set; }

    public IReadOnlyCollection<LeaseId> Running => _running.Keys;

    /// <summary>Nothing running and every completion acknowledged: a stopping worker may leave.</summary>
    public bool Drained => _running.Count == 0 && _unacked.Count == 0;

    public RegisterWorker Registration()
    {
        _registeredSent = clock.GetUtcNow();
        return new RegisterWorker(id, capacity, device, ProtocolVersion.Current);
    }

    /// <summary>The job spec came: registration stops being resent.</summary>
    public void OnRegistered() => Registered = true;

    /// <summary>A request for the free slots, or null when none is free, one is in flight, or the worker is stopping.</summary>
    public RequestWork? NextRequest()
    {
        int free = capacity - _running.Count;
        if (free <= 0 || _pending is not null || Stopping || !Registered) return null;
        var request = new RequestWork(id, free, Guid.NewGuid());
        _pending = (request, clock.GetUtcNow());
        return request;
    }

    public LeaseStep OnLease(ShardLease lease)
    {
        if (_running.ContainsKey(lease.Lease) || _unacked.ContainsKey(lease.Lease)) return LeaseStep.Ignore;
        if (_pending?.Message.CorrelationId == lease.CorrelationId) _pending = null;
        if (Stopping || _running.Count >= capacity) return LeaseStep.Release;
        _running[lease.Lease] = lease;
        return LeaseStep.Start;
    }

    public ReleaseLease ReleaseOf(LeaseId lease) => new(id, lease);

    /// <summary>True when it answers the request in flight: ask again after its delay.</summary>
    public bool OnNoWork(NoWorkYet answer)
    {
        if (_pending?.Message.CorrelationId != answer.CorrelationId) return false;
        _pending = null;
        return true;
    }

    /// <summary>The coordinator took the lease back: true when it was running here (cancel its shard).</summary>
    public bool OnLeaseLost(LeaseId lease) => _running.Remove(lease);

    public ShardLease? RunningLease(LeaseId lease) => _running.GetValueOrDefault(lease);

    /// <summary>The shard is written: the completion to send (and resend until acknowledged), or null if the lease was lost meanwhile.</summary>
    public ShardCompleted? OnShardWritten(LeaseId lease, ManifestSummary manifest)
    {
        if (!_running.Remove(lease)) return null;
        var done = new ShardCompleted(id, lease, manifest);
        _unacked[lease] = (done, clock.GetUtcNow());
        return done;
    }

    /// <summary>The shard could not run: the failure to send (and resend), or null if the lease was lost meanwhile.</summary>
    public ShardFailed? OnShardFailed(LeaseId lease, string reason)
    {
        if (!_running.Remove(lease, out var l)) return null;
        var failed = new ShardFailed(id, lease, l.ShardId, reason);
        _unacked[lease] = (failed, clock.GetUtcNow());
        return failed;
    }

    public void OnAck(LeaseId lease) => _unacked.Remove(lease);

    /// <summary>What has waited a whole retry interval unanswered: the registration, the request, completions.</summary>
    public ImmutableArray<IClusterMessage> DueResends()
    {
        var now = clock.GetUtcNow();
        var due = ImmutableArray.CreateBuilder<IClusterMessage>();
        if (!Registered && !Stopping && now - _registeredSent >= retryInterval) due.Add(Registration());
        if (_pending is { } p && now - p.Sent >= retryInterval)
        {
            _pending = (p.Message, now);
            due.Add(p.Message);
        }
        foreach (var (lease, (message, sent)) in _unacked.ToList())
        {
            if (now - sent < retryInterval) continue;
            _unacked[lease] = (message, now);
            due.Add(message);
        }
        return due.ToImmutable();
    }

    public RenewLease? Renewal() => _running.Count > 0 ? new RenewLease(id, [.. _running.Keys]) : null;

    /// <summary>
    /// Stops taking work. With <paramref name="handBack"/> every running lease is released at once (the coordinator
    /// re-queues them immediately) and returned so the caller cancels their shards; otherwise they run on and the caller
    /// calls this again with <c>handBack</c> when its grace period is over.
    /// </summary>
    public ImmutableArray<ShardLease> Stop(bool handBack)
    {
        Stopping = true;
        _pending = null;
        if (!handBack) return [];
        var released = _running.Values.ToImmutableArray();
        _running.Clear();
        return released;
    }

    /// <summary>The shards of the running leases, for logs.</summary>
    public ShardId? ShardOf(LeaseId lease) => _running.TryGetValue(lease, out var l) ? l.ShardId : null;
}
