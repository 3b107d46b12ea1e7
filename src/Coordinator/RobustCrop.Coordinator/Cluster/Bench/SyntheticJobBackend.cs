using System.Collections.Immutable;
using RobustCrop.Cluster.Protocol;
using RobustCrop.Core.Data;
using RobustCrop.Core.Results;

namespace RobustCrop.Coordinator.Cluster.Bench;

/// <summary>
/// A backend with no I/O: <paramref name="shards"/> made-up shards of 256 items and an empty summary, so a bench run
/// measures the coordinator's scheduling alone.
/// </summary>
public sealed class SyntheticJobBackend(int shards) : IJobBackend
{
    /// <summary>Items per synthetic shard: the size of a real evaluate shard, only so the progress figures look real.</summary>
    public const int ShardSize = 256;

    public Task<JobPlan> PlanAsync(CancellationToken ct)
    {
        var todo = Enumerable.Range(0, shards)
            .Select(i => new DatasetShard(new ShardId(i), ShardSource.Of($"synthetic://part-{i / 100:D4}"), (long)(i % 100) * ShardSize, ShardSize))
            .ToImmutableArray();
        return Task.FromResult(new JobPlan("synthetic", todo, SkippedShards: 0, SkippedInputs: 0, TotalInputs: (long)shards * ShardSize, Models: 0));
    }

    /// <summary>No store to read: every report is taken as written (the bench measures scheduling, not storage).</summary>
    public Task<string?> VerifyAsync(WorkProtocol.ManifestSummary reported, CancellationToken ct) => Task.FromResult<string?>(null);

    public Task<RunSummary?> CompleteAsync(IReadOnlyDictionary<string, string> devices, CancellationToken ct)
        => Task.FromResult<RunSummary?>(new RunSummary("bench-cluster", "synthetic", (long)shards * ShardSize, 0, []));
}
