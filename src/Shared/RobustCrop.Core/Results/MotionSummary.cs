using System.Text.Json.Serialization;
using RobustCrop.Core.Metrics;

namespace RobustCrop.Core.Results;

/// <summary>
/// summary.json's <c>models[].motion</c> entry of one motion spec (DESIGN §9): the fields of <c>realistic</c> with the
/// moved views in place of the 1-px shifts, and one entry per RICS setting.
/// </summary>
public sealed record MotionSummary(
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("amount")] double Amount,
    [property: JsonPropertyName("motion")] string Motion,
    [property: JsonPropertyName("images")] long Images,
    [property: JsonPropertyName("consistency_1px")] double? Consistency1px,
    [property: JsonPropertyName("fooled_1px")] double? Fooled1px,
    [property: JsonPropertyName("cosine_1px_min")] CosineStats Cosine1pxMin,
    [property: JsonPropertyName("changed_1px")] ChangedSummary Changed1px,
    [property: JsonPropertyName("nn_changed_1px")] double? NnChanged1px,
    [property: JsonPropertyName("rics")] IReadOnlyList<MotionRicsSummary> Rics);

/// <summary>One RICS setting under one motion: the RICS prediction of each moved view against the base view's.</summary>
public sealed record MotionRicsSummary(
    [property: JsonPropertyName("window")] int Window,
    [property: JsonPropertyName("score")] string Score,
    [property: JsonPropertyName("mode")] string Mode,
    [property: JsonPropertyName("consistency_1px")] double? Consistency1px,
    [property: JsonPropertyName("fooled_1px")] double? Fooled1px,
    [property: JsonPropertyName("cosine_1px_min")] CosineStats Cosine1pxMin,
    [property: JsonPropertyName("changed_1px")] ChangedSummary Changed1px,
    [property: JsonPropertyName("selection_kept")] double? SelectionKept,
    [property: JsonPropertyName("border_rate")] double? BorderRate)
{
    /// <summary>nn_changed of this setting's moved views (with --keep-embeddings), searched as its nn_changed_1px is; null without.</summary>
    [JsonPropertyName("nn_changed_1px")]
    public double? NnChanged1px { get; init; }
}

/// <summary>The motion rows of one model on one source dataset, summarised a row at a time (memory flat in the rows).</summary>
public sealed class MotionAccumulator
{
    private readonly Dictionary<string, Spec> _specs = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    private sealed class Spec(string kind, double amount)
    {
        public string Kind { get; } = kind;
        public double Amount { get; } = amount;
        public Setting Plain { get; } = new();
        public SortedDictionary<(string Score, int Window, string Mode), Setting> Rics { get; } = [];
    }

    private sealed class Setting
    {
        public long Images;
        public MeanAccumulator Consistency, Fooled, Changed, Kept, Border, CosineMean;
        public double CosineMin = double.PositiveInfinity;
        public readonly CosineSketch Cosine = new();

        public void Add(MotionRow r)
        {
            Images++;
            Kept.Add(r.SelectionKept);
            Border.Add(r.BorderRate);
            if (r.Views == 0) return;
            Consistency.Add(r.Consistency);
            Fooled.Add(r.Fooled);
            Changed.Add(r.Changed);
            CosineMean.Add(r.CosineMin);
            Cosine.Add(r.CosineMin);
            CosineMin = Math.Min(CosineMin, r.CosineMin);
        }

        public CosineStats CosineStats => new(CosineMean.Value, Cosine.Quantile(0.05), Cosine.Count > 0 ? CosineMin : null);
    }

    public bool IsEmpty => _specs.Count == 0;

    public void Add(MotionRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (!_specs.TryGetValue(row.Motion, out var spec))
        {
            _specs[row.Motion] = spec = new Spec(row.Kind, row.Amount);
            _order.Add(row.Motion);
        }
        if (row.Score is null) { spec.Plain.Add(row); return; }
        var key = (row.Score, row.Window ?? 0, row.Mode ?? "select");
        if (!spec.Rics.TryGetValue(key, out var s)) spec.Rics[key] = s = new Setting();
        s.Add(row);
    }

    /// <summary>One entry per spec, in the order the rows first name them (each image's rows follow the run's spec order).</summary>
    public IReadOnlyList<MotionSummary> ToSummary(double tau)
    {
        return [.. _order.Select(name =>
        {
            var spec = _specs[name];
            var p = spec.Plain;
            return new MotionSummary(spec.Kind, spec.Amount, name, p.Images, p.Consistency.Value, p.Fooled.Value, p.CosineStats,
                new ChangedSummary(tau, p.Changed.Value), null,
                [.. spec.Rics.Select(kv => new MotionRicsSummary(kv.Key.Window, kv.Key.Score, kv.Key.Mode, kv.Value.Consistency.Value,
                    kv.Value.Fooled.Value, kv.Value.CosineStats, new ChangedSummary(tau, kv.Value.Changed.Value), kv.Value.Kept.Value,
                    kv.Value.Border.Value))]);
        })];
    }
}
