using System.Collections.Concurrent;
using System.Collections.Immutable;
using RobustCrop.Coordinator.Cluster;
using RobustCrop.Core.Data;
using RobustCrop.Core.Results;
using static RobustCrop.Cluster.Protocol.WorkProtocol;

namespace RobustCrop.Coordinator.ActorTests.Cluster;

/// <summary>
/// A job over an in-memory "store": a shard is in it once the test wrote it, the plan skips what is there (a resumed or
/// restarted coordinator), and a completion verifies only when the shard was written.
/// </summary>
public sealed class StoreBackend(int shards) : IJobBackend
{
    public const int ShardSize = 8;
    public const int Shards = 4;

    private readonly ConcurrentDictionary<ShardId, int> _verifications = new();

    public ConcurrentDictionary<ShardId, bool> Written { get; } = new();

    public void Write(ShardId shard) => Written[shard] = true;

    public int Verifications(ShardId shard) => _verifications.GetValueOrDefault(shard);

    public Task<JobPlan> PlanAsync(CancellationToken ct)
    {
        Plans++;
        var all = Enumerable.Range(0, shards).Select(i => new DatasetShard(new ShardId(i), ShardSource.Of("mem"), (long)i * ShardSize, ShardSize)).ToList();
        var todo = all.Where(s => !Written.ContainsKey(s.Id)).ToImmutableArray();
        return Task.FromResult(new JobPlan("mem", todo, all.Count - todo.Length, (all.Count - todo.Length) * (long)ShardSize, (long)shards * ShardSize, 0));
    }

    /// <summary>The next verification throws inside the singleton's handler (a bug, say): the singleton restarts.</summary>
    public bool ThrowOnNextVerify { get; set; }

    public int Plans { get; private set; }

    public Task<string?> VerifyAsync(ManifestSummary reported, CancellationToken ct)
    {
        if (ThrowOnNextVerify)
        {
            ThrowOnNextVerify = false;
            throw new InvalidOperationException("simulated fault in the singleton");
        }
        _verifications.AddOrUpdate(reported.Shard, 1, (_, n) => n + 1);
        return Task.FromResult(Written.ContainsKey(reported.Shard) ? null : $"shard {reported.Shard}'s manifest is not in the job's store");
    }

    public int Completions { get; private set; }

    public Task<RunSummary?> CompleteAsync(IReadOnlyDictionary<string, string> devices, CancellationToken ct)
    {
        Completions++;
        return Task.FromResult<RunSummary?>(new RunSummary(RunIdOf, "mem", (long)shards * ShardSize, 0, []));
    }

    private const string RunIdOf = "protocol-test";
}
