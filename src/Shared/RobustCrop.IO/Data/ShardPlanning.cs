using RobustCrop.Core.Data;

namespace RobustCrop.IO.Data;

internal static class ShardPlanning
{
    /// <summary>Consecutive [start, count) slices of <paramref name="total"/> items, the last one possibly shorter.</summary>
    public static IEnumerable<(long Start, long Count)> Slices(long total, int shardSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(shardSize);
        for (long start = 0; start < total; start += shardSize)
            yield return (start, Math.Min(shardSize, total - start));
    }

    /// <summary>The item range a shard covers inside a part of <paramref name="total"/> items; Count -1 means to the end.</summary>
    public static (long Start, long End) Range(DatasetShard shard, long total)
    {
        if (shard.Start < 0)
            throw new ArgumentOutOfRangeException(nameof(shard), $"shard {shard.Id} starts at {shard.Start}");
        long start = Math.Min(shard.Start, total);
        long end = shard.Count < 0 ? total : Math.Min(total, start + shard.Count);
        return (start, end);
    }

    /// <summary>Name of a dataset from a path: the file or folder name without its extension.</summary>
    public static string NameFromPath(string path)
    {
        string trimmed = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        return Directory.Exists(trimmed) ? Path.GetFileName(trimmed) : Path.GetFileNameWithoutExtension(trimmed);
    }
}
