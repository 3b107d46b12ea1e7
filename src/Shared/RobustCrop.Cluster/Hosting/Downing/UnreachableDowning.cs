namespace RobustCrop.Cluster.Hosting.Downing;

/// <summary>
/// Which members the coordinator downs: every member it has seen unreachable for <see cref="StableAfter"/> without a
/// break. The cluster is a star around the coordinator (the only node with state, the job singleton), so there is
/// no partition to arbitrate: the coordinator's side is always the one that stays, and a worker cut off from it
/// rejoins by itself once it can (it watches its coordinator). Plain class on an injected clock; the actor feeds it.
/// </summary>
/// <remarks>
/// Replaces Akka's split-brain resolver (keep-oldest), which under churn — workers killed every few seconds —
/// kept the reachability records that dead workers had written about each other, took the survivors for
/// "indirectly connected" twice in a row and downed every node, the coordinator included ("SBR double
/// DownIndirectlyConnected decision, downing all instead"), failing the job.
/// </remarks>
public sealed class UnreachableDowning(TimeSpan stableAfter, TimeProvider clock)
{
    private readonly Dictionary<string, DateTimeOffset> _unreachableSince = new(StringComparer.Ordinal);
    private readonly HashSet<string> _downed = new(StringComparer.Ordinal);

    public TimeSpan StableAfter { get; } = stableAfter;

    /// <summary>Members unreachable now, oldest first (for the log).</summary>
    public IReadOnlyCollection<string> Unreachable => _unreachableSince.Keys;

    public void BecameUnreachable(string member)
    {
        if (!_downed.Contains(member)) _unreachableSince.TryAdd(member, clock.GetUtcNow());
    }

    /// <summary>Reachable again before its time was up: the clock starts over if it goes again.</summary>
    public void BecameReachable(string member) => _unreachableSince.Remove(member);

    public void Removed(string member)
    {
        _unreachableSince.Remove(member);
        _downed.Remove(member);
    }

    /// <summary>The members to down now; each is returned once (downing it again would change nothing).</summary>
    public IReadOnlyList<string> Due()
    {
        var now = clock.GetUtcNow();
        var due = _unreachableSince.Where(kv => now - kv.Value >= StableAfter).Select(kv => kv.Key).Order(StringComparer.Ordinal).ToList();
        foreach (var member in due)
        {
            _unreachableSince.Remove(member);
            _downed.Add(member);
        }
        return due;
    }
}
