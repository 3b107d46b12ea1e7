namespace RobustCrop.Core.Data;

/// <summary>Stable shard number within a dataset for a given shard size.</summary>
public readonly record struct ShardId(int Value)
{
    public override string ToString() => Value.ToString("D5", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// A slice of a dataset: <paramref name="Source"/> is the part it comes from (a folder, an IDX pair, a tar),
/// <paramref name="Start"/>/<paramref name="Count"/> the item range inside that part (Count = -1: all of it).
/// </summary>
public sealed record DatasetShard(ShardId Id, string Source, long Start, long Count);
