using System.Globalization;
using RobustCrop.Core.Results;

namespace RobustCrop.IO.Results;

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
        return ResultParquet.WriteRowsAsync(output, ToRows(summary), SummarySchema.Written, metadata, cancellationToken);
    }

    /// <summary>The rows' fixed columns (<see cref="SummarySchema.Columns"/>); the per-image means are not read back.</summary>
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
                m.AccuracyNative)
            {
                RicsCyclicRealisticConsistency1px = m.RicsCyclic?.Realistic?.Consistency1px,
                RicsCyclicRealisticFooled1px = m.RicsCyclic?.Realistic?.Fooled1px,
                RicsCyclicRealisticCosine1pxMinMean = m.RicsCyclic?.Realistic?.Cosine1pxMin.Mean,
                RicsCyclicRealisticCosine1pxMinP05 = m.RicsCyclic?.Realistic?.Cosine1pxMin.P05,
                RicsCyclicRealisticCosine1pxMinMin = m.RicsCyclic?.Realistic?.Cosine1pxMin.Min,
                RicsCyclicRealisticChanged1pxTau = m.RicsCyclic?.Realistic?.Changed1px.Tau,
                RicsCyclicRealisticChanged1pxRate = m.RicsCyclic?.Realistic?.Changed1px.Rate,
                Means = ModelAccumulator.RealisticMeans.ToDictionary(c => c.Name, c => r.Mean(c.Name), StringComparer.Ordinal),
            });
            foreach (var rics in m.Rics)
            {
                rows.Add(new SummaryParquetRow(
                    summary.RunId, m.Model, RicsMode, rics.Window, rics.Score, m.Images, m.CropsInferred, rics.Accuracy,
                    rics.Consistency1px, rics.Fooled1px, null, null,
                    rics.Cosine1pxMin?.Mean, rics.Cosine1pxMin?.P05, rics.Cosine1pxMin?.Min,
                    rics.Changed1px.Tau, rics.Changed1px.Rate, rics.BoundConsistencyAxis1px,
                    null, null, null, null,
                    null, null, null,
                    m.Device, m.InputSize, m.ResizeSize, m.ImagesWithLabels, m.ImagesWithoutShifts, m.Dataset ?? summary.Dataset,
                    RicsMode: rics.Mode, ForwardsPerFrame: rics.ForwardsPerFrame));
            }
        }
        return rows;
    }
}
