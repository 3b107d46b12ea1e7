using RobustCrop.Core.Data;
using RobustCrop.IO.Data;

namespace RobustCrop.IO.Tests.Data;

internal static class ShardAssert
{
    /// <summary>Plans twice, checks the plans are equal and numbered 0..n-1, and returns all records in shard order.</summary>
    public static List<ImageRecord> StablePlanAndReadAll(IImageDataset dataset, int shardSize)
    {
        var first = dataset.PlanShards(shardSize);
        var second = dataset.PlanShards(shardSize);
        Assert.Equal(first, second);
        Assert.Equal(Enumerable.Range(0, first.Count), first.Select(s => s.Id.Value));
        return first.SelectMany(dataset.ReadShard).ToList();
    }

    /// <summary>Every key of the whole dataset appears exactly once across the shards of the given size.</summary>
    public static void CoversEachItemOnce(IImageDataset dataset, int shardSize, IReadOnlyList<string> expectedKeys)
    {
        var keys = StablePlanAndReadAll(dataset, shardSize).Select(r => r.Key).ToList();
        Assert.Equal(expectedKeys, keys);
        Assert.Equal(keys.Count, keys.Distinct().Count());
    }
}
