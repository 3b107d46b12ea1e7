using System.Diagnostics;
using RobustCrop.Cluster.Protocol;
using RobustCrop.Core.Data;

namespace RobustCrop.Coordinator.Cluster.Bench;

/// <summary>
/// What the simulated workers saw, shared by the workers of one run (one instance per run, never static). Workers call
/// in from their own actors, so every member takes the lock; the contention is a few thousand calls per second at most.
/// </summary>
public sealed class BenchRecorder
{
    private readonly object _gate = new();
    private readonly Dictionary<ShardId, int> _leased = [];
    private readonly Dictionary<ShardId, int> _completed = [];
    private readonly HashSet<LeaseId> _leaseIds = [];
    private readonly List<double> _gapsMs = [];
    private readonly List<double> _holdsMs = [];
    private long _firstLease;

    /// <summary>A lease arrived; <paramref name="previousCompletion"/> is when this worker sent its last completion (0: none yet).</summary>
    public void Leased(ShardId shard, LeaseId lease, long now, long previousCompletion)
    {
        lock (_gate)
        {
            if (!_leaseIds.Add(lease)) return; // the answer to a resent request, not a new grant
            _leased[shard] = _leased.GetValueOrDefault(shard) + 1;
            if (_firstLease == 0) _firstLease = now;
            if (previousCompletion != 0) _gapsMs.Add(Stopwatch.GetElapsedTime(previousCompletion, now).TotalMilliseconds);
        }
    }

    public void Completed(ShardId shard, long leasedAt, long now)
    {
        lock (_gate)
        {
            _completed[shard] = _completed.GetValueOrDefault(shard) + 1;
            _holdsMs.Add(Stopwatch.GetElapsedTime(leasedAt, now).TotalMilliseconds);
        }
    }

    public BenchCounts Snapshot()
    {
        lock (_gate)
            return new BenchCounts(
                new Dictionary<ShardId, int>(_leased), new Dictionary<ShardId, int>(_completed),
                Mean(_gapsMs), Percentile(_gapsMs, 0.99), Mean(_holdsMs), _firstLease);
    }

    private static double Mean(List<double> xs) => xs.Count == 0 ? 0 : xs.Average();

    private static double Percentile(List<double> xs, double p)
    {
        if (xs.Count == 0) return 0;
        var sorted = xs.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }
}

/// <param name="Leased">Shard → leases granted for it that reached a worker.</param>
/// <param name="Completed">Shard → completions the workers sent for it.</param>
/// <param name="MeanHoldMs">Lease to completion as the workers measured it: the latency actually achieved by the scheduler timer.</param>
/// <param name="FirstLease">Stopwatch timestamp of the first lease, where the timed part of a run starts.</param>
public sealed record BenchCounts(
    IReadOnlyDictionary<ShardId, int> Leased, IReadOnlyDictionary<ShardId, int> Completed,
    double MeanGapMs, double P99GapMs, double MeanHoldMs, long FirstLease);
