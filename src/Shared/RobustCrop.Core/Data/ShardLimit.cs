namespace RobustCrop.Core.Data;

public static class ShardLimit
{
    /// <summary>
    /// The leading shards holding at most <paramref name="limit"/> inputs (0 = all), the last one trimmed. Shard ids keep
    /// their values, so a limited run's files are named like the full run's. A shard of unknown size (a tar, Count −1)
    /// is trimmed to what is left of the limit and ends the plan.
    /// </summary>
    public static IReadOnlyList<DatasetShard> Apply(IReadOnlyList<DatasetShard> shards, long limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        if (limit == 0) return shards;
        var result = new List<DatasetShard>();
        long left = limit;
        foreach (var s in shards)
        {
            if (left == 0) break;
            if (s.Count < 0 || s.Count >= left) { result.Add(s with { Count = left }); break; }
            result.Add(s);
            left -= s.Count;
        }
        return result;
    }
}
