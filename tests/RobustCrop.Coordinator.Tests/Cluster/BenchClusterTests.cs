using RobustCrop.Coordinator.Cluster.Bench;

namespace RobustCrop.Coordinator.Tests.Cluster;

/// <summary>
/// The bench drives the real job singleton; if the simulation is right, the coordinator's exactly-once bookkeeping
/// shows through it: every shard leased once and completed once, nothing re-queued, no duplicate completion.
/// </summary>
[Trait("Category", "Cluster")]
[Trait("Category", "Slow")]
public sealed class BenchClusterTests
{
    [Fact]
    public async Task Every_shard_is_leased_and_completed_exactly_once()
    {
        var run = new ClusterBenchRun(Workers: 4, Shards: 40, Latency: TimeSpan.FromMilliseconds(1), Timeout: TimeSpan.FromSeconds(30));

        var r = await ClusterBench.RunAsync(run, CancellationToken.None);

        Assert.Equal(40, r.Counts.Leased.Count);
        Assert.Equal(40, r.Counts.Completed.Count);
        Assert.All(r.Counts.Leased.Values, n => Assert.Equal(1, n));
        Assert.All(r.Counts.Completed.Values, n => Assert.Equal(1, n));
        Assert.Equal(Enumerable.Range(0, 40), r.Counts.Completed.Keys.Select(k => k.Value).Order());
        Assert.Equal(0, r.Requeued);
        Assert.Equal(0, r.Duplicates);
        Assert.True(r.ExactlyOnce);
        Assert.True(r.LeasesPerSecond > 0);
    }
}
