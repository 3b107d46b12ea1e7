namespace RobustCrop.Core.Data;

public static class ShardLimit
{
    /// <summary>
    /// The leading shards holding at most <paramref name="limit"/> inputs (0 = all), the last one trimmed. Shard ids keep
    /// their values, so a limited run's files are named like the full run's. A limit spans shards: a whole-part shard
    /// (Count −1, a tar) whose size <paramref name="inputsOf"/> knows (the samples planning counted) counts that many and
    /// stays whole while the limit lasts. Only a shard of unknown size is trimmed to what is left of the limit and ends
    /// the plan, since reading it is the only way to tell.
    /// </summary>
    /// <param name="inputsOf">Inputs of a shard where planning knows them (<c>IImageDataset.PlannedInputs</c>), else null.</param>
    public static IReadOnlyList<DatasetShard> Apply(IReadOnlyList<DatasetShard> shards, long limit, Func<DatasetShard, long?>? inputsOf = null)
    {
        ArgumentNullException.ThrowIfNull(shards);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        if (limit == 0) return shards;
        var result = new List<DatasetShard>();
        long left = limit;
        foreach (var s in shards)
        {
            if (left == 0) break;
            long? size = s.Count >= 0 ? s.Count : inputsOf?.Invoke(s);
            if (size is not long n || n >= left) { result.Add(s with { Count = left }); break; }
            result.Add(s);
            left -= n;
        }
        return result;
    }
}
