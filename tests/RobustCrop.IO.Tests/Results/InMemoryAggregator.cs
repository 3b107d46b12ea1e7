using System.Globalization;
using RobustCrop.Core.Metrics;
using RobustCrop.Core.Results;
using RobustCrop.Core.Rics;
using RobustCrop.IO.Results;
using RobustCrop.IO.Storage;

namespace RobustCrop.IO.Tests.Results;

/// <summary>
/// The aggregation as it was before it streamed (every row of the run in memory, exact p05 by sorting), kept as the
/// reference the streaming <see cref="RunAggregator"/> is checked against.
/// </summary>
internal static class InMemoryAggregator
{
    /// <summary>Aggregates the files of the shards <paramref name="state"/> holds (those with a manifest) and no other:
    /// a shard that failed before its manifest may have left files that a retry writes again.</summary>
    public static async Task<RunSummary> AggregateAsync(IResultStore store, RunLayout layout, RunState state, string dataset,
        IReadOnlyList<ModelFacts>? facts, CancellationToken ct)
    {
        // Rows are grouped by model and source dataset: a composite run (photos + Fashion-MNIST) is summarised per
        // dataset, never in one row mixing labelled digits with unlabelled photos.
        var rowsByModel = new SortedDictionary<(string Model, string Dataset), List<ImageRow>>();
        double? tau = null;
        await foreach (var path in store.ListAsync(layout.ImagesDir, ct))
        {
            if (!path.EndsWith(".parquet", StringComparison.Ordinal) || !state.Files.Contains(path)) continue;
            List<ImageRow> rows;
            await using (var s = await store.OpenReadAsync(path, ct)) rows = await ResultParquet.ReadImageRowsAsync(s, ct);
            if (tau is null)
            {
                await using var s = await store.OpenReadAsync(path, ct);
                var meta = await ResultParquet.ReadMetadataAsync(s, ct);
                if (meta.TryGetValue(RunAggregator.TauMetadataKey, out var t)) tau = double.Parse(t, CultureInfo.InvariantCulture);
            }
            foreach (var r in rows)
            {
                var key = (r.Model, RunAggregator.DatasetOf(r.ImageKey, dataset));
                if (!rowsByModel.TryGetValue(key, out var list)) rowsByModel[key] = list = [];
                list.Add(r);
            }
        }
        var ricsByModel = new Dictionary<(string Model, string Dataset), List<RicsRow>>();
        await foreach (var path in store.ListAsync(layout.RicsDir, ct))
        {
            if (!path.EndsWith(".parquet", StringComparison.Ordinal) || !state.Files.Contains(path)) continue;
            await using var s = await store.OpenReadAsync(path, ct);
            foreach (var r in await ResultParquet.ReadRowsAsync<RicsRow>(s, ct))
            {
                var key = (r.Model, RunAggregator.DatasetOf(r.ImageKey, dataset));
                if (!ricsByModel.TryGetValue(key, out var list)) ricsByModel[key] = list = [];
                list.Add(r);
            }
        }
        long errors = 0;
        await foreach (var path in store.ListAsync(layout.ErrorsDir, ct))
        {
            if (!path.EndsWith(".parquet", StringComparison.Ordinal) || !state.Files.Contains(path)) continue;
            await using var s = await store.OpenReadAsync(path, ct);
            errors += (await ResultParquet.ReadErrorRowsAsync(s, ct)).Count;
        }
        double effectiveTau = tau ?? 0.99;
        var models = rowsByModel.Select(kv => Summarise(kv.Key.Model, kv.Value, ricsByModel.GetValueOrDefault(kv.Key) ?? [], effectiveTau,
            facts?.FirstOrDefault(f => f.Model == kv.Key.Model)) with { Dataset = kv.Key.Dataset }).ToList();
        // Models listed in the zoo but with no image rows (every input was an error) still appear, with null metrics.
        foreach (var f in facts ?? [])
            if (!rowsByModel.Keys.Any(k => k.Model == f.Model))
                models.AddRange(dataset.Split('+').Select(d => Summarise(f.Model, [], [], effectiveTau, f) with { Dataset = d }));
        long images = rowsByModel.Values.SelectMany(r => r).Select(r => r.ImageKey).Distinct(StringComparer.Ordinal).LongCount();
        int k = rowsByModel.Values.SelectMany(r => r).Select(r => r.WindowK).DefaultIfEmpty(0).Max();
        return new RunSummary(layout.RunId, dataset, images, errors, models, DateTimeOffset.UtcNow, effectiveTau, k);
    }

    public static ModelSummary Summarise(string model, IReadOnlyList<ImageRow> rows, IReadOnlyList<RicsRow> rics, double tau, ModelFacts? facts)
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
                new ChangedSummary(tau, Stats.Rate(measured.Select(r => (bool?)r.Changed1px))),
                // A run of one τ lists it alone; no kept embeddings, so no nearest-neighbour figure.
                [new ChangedSummary(tau, Stats.Rate(measured.Select(r => (bool?)r.Changed1px)))])
            {
                // The summary's per-image means, each through its declared column.
                Means = ModelAccumulator.RealisticMeans.Count == 0 ? null : ModelAccumulator.RealisticMeans.ToDictionary(
                    c => c.Name, c => (object?)Stats.Mean(measured.Select(r => (double?)ImagesSchema.Columns.Column(c.Name).Value(r))),
                    StringComparer.Ordinal),
            },
            new CyclicSummary(
                Stats.Mean(cyclicMeasured.Select(r => r.CyclicConsistency1px)),
                Stats.Rate(cyclicMeasured.Select(r => r.CyclicFooled1px)),
                new ChangedSummary(tau, Stats.Rate(cyclicMeasured.Select(r => (bool?)r.CyclicChanged1px)))),
            SummariseRics(rics.Where(r => r.Score != CyclicScore).ToList(), tau),
            SummariseRicsCyclic(rics.Where(r => r.Score == CyclicScore).ToList(), tau),
            facts?.Device,
            facts?.InputSize,
            facts?.ResizeSize,
            rows.LongCount(r => r.Label is not null),
            rows.LongCount(r => r.Shifts1px == 0),
            AccuracyNative: Stats.Rate(rows.Select(r => r.CorrectNative)));
    }

    /// <summary>The score name of cyclic RICS rows.</summary>
    private static string CyclicScore => RicsScores.Name(RicsScore.Cyclic);

    private static List<RicsSummary> SummariseRics(IReadOnlyList<RicsRow> rows, double tau)
        => rows.GroupBy(r => (r.Window, r.Score, Mode: r.Mode ?? "select"))
            .OrderBy(g => g.Key.Score, StringComparer.Ordinal).ThenBy(g => g.Key.Window).ThenBy(g => RicsMode.All.ToList().IndexOf(RicsMode.Parse(g.Key.Mode)))
            .Select(g =>
            {
                var measured = g.Where(r => r.Shifts1px > 0).ToList();
                var cos = measured.Select(r => r.Cosine1pxMin).ToList();
                long frames = g.Sum(r => (long)r.Frames);
                return new RicsSummary(
                    g.Key.Window, g.Key.Score,
                    Stats.Mean(measured.Select(r => r.Consistency1px)),
                    Stats.Rate(measured.Select(r => r.Fooled1px)),
                    RicsScores.AxisBound(g.Key.Window),
                    Stats.Rate(g.Select(r => r.Correct)),
                    new ChangedSummary(tau, Stats.Rate(measured.Select(r => (bool?)r.Changed1px))),
                    g.LongCount(),
                    frames > 0 ? (double)g.Sum(r => (long)r.BorderChoices) / frames : null,
                    RicsScores.N1Bound(g.Key.Window),
                    g.Any(r => r.WindowShifts > 0)
                        ? new FooledWindowSummary(g.Max(r => r.WindowK), Stats.Rate(g.Where(r => r.WindowShifts > 0).Select(r => r.FooledWindow)))
                        : null,
                    Stats.Mean(g.Select(r => r.SelectionKeptAxis1px)))
                {
                    Mode = g.Key.Mode,
                    ForwardsPerFrame = Stats.Mean(g.Select(r => (double?)(r.ForwardsPerFrame ?? 1.0))),
                    Cosine1pxMin = new CosineStats(Stats.Mean(cos.Select(c => (double?)c)), Stats.Quantile(cos, 0.05), cos.Count > 0 ? cos.Min() : null),
                    Changed1pxByTau = [new ChangedSummary(tau, Stats.Rate(measured.Select(r => (bool?)r.Changed1px)))],
                };
            }).ToList();

    private static RicsCyclicSummary? SummariseRicsCyclic(IReadOnlyList<RicsRow> rows, double tau)
    {
        if (rows.Count == 0) return null;
        var measured = rows.Where(r => r.RealisticShifts1px > 0).ToList();
        var cos = measured.Where(r => r.RealisticCosine1pxMin is not null).Select(r => r.RealisticCosine1pxMin!.Value).ToList();
        return new RicsCyclicSummary(
            Stats.Mean(rows.Where(r => r.Shifts1px > 0).Select(r => r.Consistency1px)),
            Stats.Rate(rows.Where(r => r.Shifts1px > 0).Select(r => r.Fooled1px)),
            Stats.Rate(rows.Select(r => r.Correct)),
            rows.Count,
            Stats.Rate(rows.Select(r => (bool?)(r.OffsetX == 0 && r.OffsetY == 0))),
            new RicsCyclicRealisticSummary(
                Stats.Mean(measured.Select(r => r.RealisticConsistency1px)),
                Stats.Rate(measured.Select(r => r.RealisticFooled1px)),
                new CosineStats(Stats.Mean(cos.Select(c => (double?)c)), Stats.Quantile(cos, 0.05), cos.Count > 0 ? cos.Min() : null),
                new ChangedSummary(tau, Stats.Rate(measured.Select(r => r.RealisticChanged1px)))));
    }
}
