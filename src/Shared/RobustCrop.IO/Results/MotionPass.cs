using RobustCrop.Core.Results;
using RobustCrop.IO.Storage;

namespace RobustCrop.IO.Results;

/// <summary>
/// summary.json's <c>motion</c> lists (DESIGN §4b, §9) from a run's motion files: one file at a time into one
/// <see cref="MotionAccumulator"/> per model × source dataset, so memory is a shard's rows, not the run's.
/// </summary>
public static class MotionPass
{
    /// <param name="files">The files of finished shards (others may be left by a failed attempt).</param>
    public static async Task<Dictionary<(string Model, string Dataset), IReadOnlyList<MotionSummary>>> ComputeAsync(IResultStore store,
        RunLayout layout, IReadOnlySet<string> files, string runDataset, double tau, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(layout);
        var groups = new SortedDictionary<(string Model, string Dataset), MotionAccumulator>();
        var paths = new List<string>();
        await foreach (var path in store.ListAsync(layout.MotionDir, ct).ConfigureAwait(false))
            if (path.EndsWith(".parquet", StringComparison.Ordinal) && files.Contains(path)) paths.Add(path);
        paths.Sort(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            List<MotionRow> rows;
            await using (var input = await store.OpenReadAsync(path, ct).ConfigureAwait(false))
                rows = await ResultParquet.ReadRowsAsync<MotionRow>(input, ct).ConfigureAwait(false);
            foreach (var row in rows)
            {
                var key = (row.Model, RunAggregator.DatasetOf(row.ImageKey, runDataset));
                if (!groups.TryGetValue(key, out var acc)) groups[key] = acc = new MotionAccumulator();
                acc.Add(row);
            }
        }
        return groups.ToDictionary(kv => kv.Key, kv => kv.Value.ToSummary(tau));
    }

    /// <summary>The entries of one model × dataset with nn_changed filled in where <see cref="NearestNeighbourPass.ComputeMotionAsync"/> found it.</summary>
    public static IReadOnlyList<MotionSummary> WithNn(IReadOnlyList<MotionSummary> specs, string model, string dataset,
        IReadOnlyDictionary<NearestNeighbourPass.MotionNnKey, double?> nn)
    {
        ArgumentNullException.ThrowIfNull(specs);
        ArgumentNullException.ThrowIfNull(nn);
        if (nn.Count == 0) return specs;
        double? Rate(string motion, string? score, int window, string mode) => nn.GetValueOrDefault(new(model, dataset, motion, score, window, mode));
        return [.. specs.Select(x => x with
        {
            NnChanged1px = Rate(x.Motion, null, 0, ""),
            Rics = [.. x.Rics.Select(r => r with { NnChanged1px = Rate(x.Motion, r.Score, r.Window, r.Mode) })],
        })];
    }
}
