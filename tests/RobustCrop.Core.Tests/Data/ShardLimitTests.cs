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

    [Fact]
    public void A_limit_spans_whole_tar_shards_whose_sample_counts_planning_knows()
    {
        // 12 tars of 10 samples, each one whole shard (Count -1): --limit 40 planned 40 inputs into the first tar.
        var tars = Enumerable.Range(0, 12).Select(i => new DatasetShard(new ShardId(i), ShardSource.Of($"t/{i:D5}.tar"), 0, -1)).ToArray();

        var limited = ShardLimit.Apply(tars, 40, _ => 10);
        Assert.Equal(tars[..3], limited.Take(3));
        Assert.Equal(tars[3] with { Count = 10 }, limited[3]);
        Assert.Equal(4, limited.Count);
        Assert.Equal([tars[0], tars[1], tars[2] with { Count = 5 }], ShardLimit.Apply(tars, 25, _ => 10));
    }

    [Fact]
    public void A_shard_of_unknown_size_takes_what_is_left_of_the_limit_and_ends_the_plan()
    {
        var tars = Enumerable.Range(0, 3).Select(i => new DatasetShard(new ShardId(i), ShardSource.Of($"t/{i}.tar"), 0, -1)).ToArray();
        Assert.Equal([tars[0], tars[1] with { Count = 33 }], ShardLimit.Apply(tars, 40, s => s.Id.Value == 0 ? 7 : null));
    }
}
