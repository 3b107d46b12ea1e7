using System.Globalization;
using RobustCrop.Core.Results;

namespace RobustCrop.IO.Results;

/// <summary>One row of summary.parquet: a long table so SQL can filter by mode instead of unnesting.
/// <list type="bullet">
/// <item>mode = "baseline": one row per model; window and score are null; realistic_*, cyclic_* and
/// rics_cyclic_* hold the §9 values; bound_consistency_axis_1px is null.</item>
/// <item>mode = "rics": one row per model × RICS setting; window and score name the setting;
/// accuracy, realistic_consistency_1px, realistic_fooled_1px and realistic_changed_1px_* hold the RICS
/// values (RICS is measured under realistic shifts) with bound_consistency_axis_1px; the
/// fooled-window, cosine, cyclic_* and rics_cyclic_* columns are null.</item>
/// </list>
/// images and crops_inferred are the model's on every row. dataset is the source dataset: a composite run has the rows
/// of each model once per source dataset. accuracy_native (baseline rows of resize.margin models only) is the accuracy of
/// the model's native preprocessing beside accuracy in the shifted setting.</summary>
public sealed record SummaryParquetRow(
    string RunId,
    string Model,
    string Mode,
    int? Window,
    string? Score,
    long Images,
    long CropsInferred,
    double? Accuracy,
    double? RealisticConsistency1px,
    double? RealisticFooled1px,
    int? RealisticFooledWindowK,
    double? RealisticFooledWindowRate,
    double? RealisticCosine1pxMinMean,
    double? RealisticCosine1pxMinP05,
    double? RealisticCosine1pxMinMin,
    double? RealisticChanged1pxTau,
    double? RealisticChanged1pxRate,
    double? BoundConsistencyAxis1px,
    double? CyclicConsistency1px,
    double? CyclicFooled1px,
    double? CyclicChanged1pxTau,
    double? CyclicChanged1pxRate,
    double? RicsCyclicConsistency1px,
    double? RicsCyclicFooled1px,
    double? RicsCyclicAccuracy,
    string? Device,
    int? InputSize,
    int? ResizeSize,
    long? ImagesWithLabels,
    long? ImagesWithoutShifts,
    string Dataset,
    double? AccuracyNative = null);

/// <summary>summary.parquet: the per-model aggregates of summary.json as a flat table (see <see cref="SummaryParquetRow"/>).</summary>
public static class SummaryParquet
{
    public const string BaselineMode = "baseline";
    public const string RicsMode = "rics";

    public static Task WriteAsync(Stream output, RunSummary summary, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var metadata = new Dictionary<string, string>
        {
            [ResultMetadataKeys.RunId] = summary.RunId,
            ["robustcrop.dataset"] = summary.Dataset,
        };
        if (summary.Tau is { } tau)
            metadata["robustcrop.tau"] = tau.ToString("R", CultureInfo.InvariantCulture);
        if (summary.WindowK is { } k)
            metadata["robustcrop.window_k"] = k.ToString(CultureInfo.InvariantCulture);
        return ResultParquet.WriteRowsAsync(output, ToRows(summary), metadata, cancellationToken);
    }

    public static Task<List<SummaryParquetRow>> ReadAsync(Stream input, CancellationToken cancellationToken = default)
        => ResultParquet.ReadRowsAsync<SummaryParquetRow>(input, cancellationToken);

    /// <summary>Baseline row of each model followed by its RICS rows, in the summary's order.</summary>
    public static List<SummaryParquetRow> ToRows(RunSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var rows = new List<SummaryParquetRow>();
        foreach (var m in summary.Models)
        {
            var r = m.Realistic;
            rows.Add(new SummaryParquetRow(
                summary.RunId, m.Model, BaselineMode, Window: null, Score: null, m.Images, m.CropsInferred, m.Accuracy,
                r.Consistency1px, r.Fooled1px, r.FooledWindow.K, r.FooledWindow.Rate,
                r.Cosine1pxMin.Mean, r.Cosine1pxMin.P05, r.Cosine1pxMin.Min,
                r.Changed1px.Tau, r.Changed1px.Rate, BoundConsistencyAxis1px: null,
                m.Cyclic.Consistency1px, m.Cyclic.Fooled1px, m.Cyclic.Changed1px.Tau, m.Cyclic.Changed1px.Rate,
                m.RicsCyclic?.Consistency1px, m.RicsCyclic?.Fooled1px, m.RicsCyclic?.Accuracy,
                m.Device, m.InputSize, m.ResizeSize, m.ImagesWithLabels, m.ImagesWithoutShifts, m.Dataset ?? summary.Dataset,
                m.AccuracyNative));
            foreach (var rics in m.Rics)
            {
                rows.Add(new SummaryParquetRow(
                    summary.RunId, m.Model, RicsMode, rics.Window, rics.Score, m.Images, m.CropsInferred, rics.Accuracy,
                    rics.Consistency1px, rics.Fooled1px, null, null,
                    null, null, null,
                    rics.Changed1px.Tau, rics.Changed1px.Rate, rics.BoundConsistencyAxis1px,
                    null, null, null, null,
                    null, null, null,
                    m.Device, m.InputSize, m.ResizeSize, m.ImagesWithLabels, m.ImagesWithoutShifts, m.Dataset ?? summary.Dataset));
            }
        }
        return rows;
    }
}
