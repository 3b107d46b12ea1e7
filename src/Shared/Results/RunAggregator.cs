using System.Globalization;
using RobustCrop.Shared.Metrics;
using RobustCrop.Shared.Storage;

namespace RobustCrop.Shared.Results;

/// <summary>Facts about a model that its image rows do not hold; optional extras of summary.json.</summary>
public sealed record ModelFacts(string Model, string? Device, int? InputSize, int? ResizeSize);

/// <summary>
/// Builds summary.json from the images and errors files alone, so a run assembled from several machines, or resumed,
/// aggregates exactly like a run done in one go (DESIGN §7, §9).
/// </summary>
public static class RunAggregator
{
    public const string TauMetadataKey = "robustcrop.tau";

    public static async Task<RunSummary> AggregateAsync(IResultStore store, RunLayout layout, string dataset,
        IReadOnlyList<ModelFacts>? facts, CancellationToken ct)
    {
        var rowsByModel = new SortedDictionary<string, List<ImageRow>>(StringComparer.Ordinal);
        double? tau = null;
        await foreach (var path in store.ListAsync(layout.ImagesDir, ct))
        {
            if (!path.EndsWith(".parquet", StringComparison.Ordinal)) continue;
            List<ImageRow> rows;
            await using (var s = await store.OpenReadAsync(path, ct)) rows = await ResultParquet.ReadImageRowsAsync(s, ct);
            if (tau is null)
            {
                await using var s = await store.OpenReadAsync(path, ct);
                var meta = await ResultParquet.ReadMetadataAsync(s, ct);
                if (meta.TryGetValue(TauMetadataKey, out var t)) tau = double.Parse(t, CultureInfo.InvariantCulture);
            }
            foreach (var r in rows)
            {
                if (!rowsByModel.TryGetValue(r.Model, out var list)) rowsByModel[r.Model] = list = [];
                list.Add(r);
            }
        }
        long errors = 0;
        await foreach (var path in store.ListAsync(layout.ErrorsDir, ct))
        {
            if (!path.EndsWith(".parquet", StringComparison.Ordinal)) continue;
            await using var s = await store.OpenReadAsync(path, ct);
            errors += (await ResultParquet.ReadErrorRowsAsync(s, ct)).Count;
        }
        double effectiveTau = tau ?? 0.99;
        var models = rowsByModel.Select(kv => Summarise(kv.Key, kv.Value, effectiveTau, facts?.FirstOrDefault(f => f.Model == kv.Key))).ToList();
        // Models listed in the zoo but with no image rows (every input was an error) still appear, with null metrics.
        foreach (var f in facts ?? [])
            if (!rowsByModel.ContainsKey(f.Model)) models.Add(Summarise(f.Model, [], effectiveTau, f));
        long images = rowsByModel.Values.SelectMany(r => r).Select(r => r.ImageKey).Distinct(StringComparer.Ordinal).LongCount();
        int k = rowsByModel.Values.SelectMany(r => r).Select(r => r.WindowK).DefaultIfEmpty(0).Max();
        return new RunSummary(layout.RunId, dataset, images, errors, models, DateTimeOffset.UtcNow, effectiveTau, k);
    }

    public static ModelSummary Summarise(string model, IReadOnlyList<ImageRow> rows, double tau, ModelFacts? facts)
    {
        var measured = rows.Where(r => r.Shifts1px > 0).ToList();
        var cyclicMeasured = rows.Where(r => r.CyclicShifts1px > 0).ToList();
        var cos = measured.Select(r => r.Cosine1pxMin).ToList();
        int k = rows.Select(r => r.WindowK).DefaultIfEmpty(0).Max();
        return new ModelSummary(
            model,
            rows.Count,
            rows.Sum(r => (long)r.CropsInferred),
            Stats.Rate(rows.Select(r => r.Correct)),
            new RealisticSummary(
                Stats.Mean(measured.Select(r => r.Consistency1px)),
                Stats.Rate(measured.Select(r => r.Fooled1px)),
                new FooledWindowSummary(k, k > 0 ? Stats.Rate(rows.Where(r => r.WindowShifts > 0).Select(r => r.FooledWindow)) : null),
                new CosineStats(Stats.Mean(cos.Select(c => (double?)c)), Stats.Quantile(cos, 0.05), cos.Count > 0 ? cos.Min() : null),
                new ChangedSummary(tau, Stats.Rate(measured.Select(r => (bool?)r.Changed1px)))),
            new CyclicSummary(
                Stats.Mean(cyclicMeasured.Select(r => r.CyclicConsistency1px)),
                Stats.Rate(cyclicMeasured.Select(r => r.CyclicFooled1px)),
                new ChangedSummary(tau, Stats.Rate(cyclicMeasured.Select(r => (bool?)r.CyclicChanged1px)))),
            [],
            null,
            facts?.Device,
            facts?.InputSize,
            facts?.ResizeSize,
            rows.LongCount(r => r.Label is not null),
            rows.LongCount(r => r.Shifts1px == 0));
    }

    public static async Task WriteSummaryAsync(IResultStore store, RunLayout layout, RunSummary summary, CancellationToken ct)
    {
        string json = RunSummaryIo.Serialize(summary);
        await store.WriteAsync(layout.SummaryJson, async s => { await using var w = new StreamWriter(s); await w.WriteAsync(json); }, ct);
        await store.WriteAsync(layout.SummaryParquet, s => SummaryParquet.WriteAsync(s, summary, ct), ct);
    }
}
