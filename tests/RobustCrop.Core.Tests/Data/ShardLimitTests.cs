using RobustCrop.Core.Data;

namespace RobustCrop.Core.Tests.Data;

public sealed class ShardLimitTests
{
    private static readonly DatasetShard[] Plan =
    [
        new(new ShardId(0), ShardSource.Of("a"), 0, 12),
        new(new ShardId(1), ShardSource.Of("b"), 0, 256),
        new(new ShardId(2), ShardSource.Of("b"), 256, 256),
    ];

    [Fact]
    public void Keeps_leading_shards_and_trims_the_last()
    {
        var limited = ShardLimit.Apply(Plan, 112);
        Assert.Equal(2, limited.Count);
        Assert.Equal(Plan[0], limited[0]);
        Assert.Equal(new DatasetShard(new ShardId(1), ShardSource.Of("b"), 0, 100), limited[1]);
    }

    [Fact]
    public void Zero_means_everything() => Assert.Same(Plan, ShardLimit.Apply(Plan, 0));

    [Fact]
    public void A_limit_on_a_shard_boundary_does_not_add_an_empty_shard()
        => Assert.Equal(2, ShardLimit.Apply(Plan, 268).Count);
}
