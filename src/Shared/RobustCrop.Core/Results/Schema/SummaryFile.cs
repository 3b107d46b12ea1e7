namespace RobustCrop.Core.Results;

/// <summary>One row of summary.parquet: a long table so SQL can filter by mode instead of unnesting.
/// <list type="bullet">
/// <item>mode = "baseline": one row per model; window and score are null; realistic_*, cyclic_* and
/// rics_cyclic_* (rics_cyclic_realistic_*: cyclic RICS under realistic shifts) hold the §9 values;
/// bound_consistency_axis_1px is null.</item>
/// <item>mode = "rics": one row per model × RICS setting; window and score name the setting;
/// accuracy, realistic_consistency_1px, realistic_fooled_1px and realistic_changed_1px_* hold the RICS
/// values (RICS is measured under realistic shifts) with bound_consistency_axis_1px, the realistic_cosine_* of the
/// setting's outputs, rics_mode (DESIGN §5b) and forwards_per_frame; the fooled-window, cyclic_* and rics_cyclic_*
/// columns are null.</item>
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
    double? AccuracyNative = null,
    double? RicsCyclicRealisticConsistency1px = null,
    double? RicsCyclicRealisticFooled1px = null,
    double? RicsCyclicRealisticCosine1pxMinMean = null,
    double? RicsCyclicRealisticCosine1pxMinP05 = null,
    double? RicsCyclicRealisticCosine1pxMinMin = null,
    double? RicsCyclicRealisticChanged1pxTau = null,
    double? RicsCyclicRealisticChanged1pxRate = null,
    string? RicsMode = null,
    double? ForwardsPerFrame = null)
{
    /// <summary>Baseline rows: the summary's per-image means (<see cref="RealisticSummary.Means"/>), by column name.</summary>
    public IReadOnlyDictionary<string, double?>? Means { get; init; }
}

/// <summary>The columns of summary.parquet, in file order: the fixed <see cref="Columns"/> of the row record, then one
/// <c>realistic_&lt;name&gt;</c> per summary mean (<see cref="ModelAccumulator.RealisticMeans"/>), in <see cref="Written"/>.</summary>
public static class SummarySchema
{
    public static readonly IReadOnlyList<ResultColumn<SummaryParquetRow>> Columns =
    [
        new("run_id", ColumnType.String, false, "the run's id", r => r.RunId),
        new("model", ColumnType.String, false, "the model's id", r => r.Model),
        new("mode", ColumnType.String, false, "baseline (one row per model) | rics (one row per model × RICS setting)", r => r.Mode),
        new("window", ColumnType.Int32, true, "rics rows: the RICS window n", r => r.Window),
        new("score", ColumnType.String, true, "rics rows: the RICS score", r => r.Score),
        new("images", ColumnType.Int64, false, "images measured for the model", r => r.Images),
        new("crops_inferred", ColumnType.Int64, false, "crops the model ran on", r => r.CropsInferred),
        new("accuracy", ColumnType.Double, true, "mean correctness over labelled images (rics rows: of RICS)", r => r.Accuracy),
        new("realistic_consistency_1px", ColumnType.Double, true,
            "mean consistency_1px over measured images", r => r.RealisticConsistency1px),
        new("realistic_fooled_1px", ColumnType.Double, true, "share of measured images fooled by a 1-px shift", r => r.RealisticFooled1px),
        new("realistic_fooled_window_k", ColumnType.Int32, true, "k of W_k", r => r.RealisticFooledWindowK),
        new("realistic_fooled_window_rate", ColumnType.Double, true, "share of images fooled within W_k", r => r.RealisticFooledWindowRate),
        new("realistic_cosine_1px_min_mean", ColumnType.Double, true,
            "mean of cosine_1px_min over measured images", r => r.RealisticCosine1pxMinMean),
        new("realistic_cosine_1px_min_p05", ColumnType.Double, true, "5th percentile of cosine_1px_min", r => r.RealisticCosine1pxMinP05),
        new("realistic_cosine_1px_min_min", ColumnType.Double, true, "lowest cosine_1px_min", r => r.RealisticCosine1pxMinMin),
        new("realistic_changed_1px_tau", ColumnType.Double, true, "τ of changed_1px", r => r.RealisticChanged1pxTau),
        new("realistic_changed_1px_rate", ColumnType.Double, true,
            "share of measured images with cosine_1px_min < τ", r => r.RealisticChanged1pxRate),
        new("bound_consistency_axis_1px", ColumnType.Double, true,
            "rics rows: the proven bound (n−1)/(n+1) along one axis", r => r.BoundConsistencyAxis1px),
        new("cyclic_consistency_1px", ColumnType.Double, true, "mean cyclic_consistency_1px", r => r.CyclicConsistency1px),
        new("cyclic_fooled_1px", ColumnType.Double, true, "share of images fooled by a 1-px roll", r => r.CyclicFooled1px),
        new("cyclic_changed_1px_tau", ColumnType.Double, true, "τ of cyclic_changed_1px", r => r.CyclicChanged1pxTau),
        new("cyclic_changed_1px_rate", ColumnType.Double, true,
            "share of images with cyclic_cosine_1px_min < τ", r => r.CyclicChanged1pxRate),
        new("rics_cyclic_consistency_1px", ColumnType.Double, true, "cyclic RICS: mean consistency", r => r.RicsCyclicConsistency1px),
        new("rics_cyclic_fooled_1px", ColumnType.Double, true, "cyclic RICS: share fooled", r => r.RicsCyclicFooled1px),
        new("rics_cyclic_accuracy", ColumnType.Double, true, "cyclic RICS: accuracy", r => r.RicsCyclicAccuracy),
        new("device", ColumnType.String, true, "the device the model ran on", r => r.Device),
        new("input_size", ColumnType.Int32, true, "the model's input size C", r => r.InputSize),
        new("resize_size", ColumnType.Int32, true, "the resize R before cropping", r => r.ResizeSize),
        new("images_with_labels", ColumnType.Int64, true, "images that have a label", r => r.ImagesWithLabels),
        new("images_without_shifts", ColumnType.Int64, true, "images with no room for a 1-px shift", r => r.ImagesWithoutShifts),
        new("dataset", ColumnType.String, false, "the source dataset of these rows", r => r.Dataset),
        new("accuracy_native", ColumnType.Double, true,
            "resize.margin models: accuracy of the native preprocessing", r => r.AccuracyNative),
        new("rics_cyclic_realistic_consistency_1px", ColumnType.Double, true,
            "cyclic RICS under realistic 1-px shifts: mean consistency", r => r.RicsCyclicRealisticConsistency1px),
        new("rics_cyclic_realistic_fooled_1px", ColumnType.Double, true,
            "cyclic RICS under realistic 1-px shifts: share fooled (the study: 11% for cyclic-robust models)", r => r.RicsCyclicRealisticFooled1px),
        new("rics_cyclic_realistic_cosine_1px_min_mean", ColumnType.Double, true,
            "cyclic RICS under realistic 1-px shifts: mean of cosine_1px_min", r => r.RicsCyclicRealisticCosine1pxMinMean),
        new("rics_cyclic_realistic_cosine_1px_min_p05", ColumnType.Double, true,
            "cyclic RICS under realistic 1-px shifts: 5th percentile of cosine_1px_min", r => r.RicsCyclicRealisticCosine1pxMinP05),
        new("rics_cyclic_realistic_cosine_1px_min_min", ColumnType.Double, true,
            "cyclic RICS under realistic 1-px shifts: lowest cosine_1px_min", r => r.RicsCyclicRealisticCosine1pxMinMin),
        new("rics_cyclic_realistic_changed_1px_tau", ColumnType.Double, true,
            "τ of rics_cyclic_realistic_changed_1px_rate", r => r.RicsCyclicRealisticChanged1pxTau),
        new("rics_cyclic_realistic_changed_1px_rate", ColumnType.Double, true,
            "cyclic RICS under realistic 1-px shifts: share with cosine_1px_min < τ", r => r.RicsCyclicRealisticChanged1pxRate),
        new("rics_mode", ColumnType.String, true, "rics rows: the representation mode (select, soft<k>, mean-all)", r => r.RicsMode),
        new("forwards_per_frame", ColumnType.Double, true, "rics rows: forwards one deployed frame costs in this mode", r => r.ForwardsPerFrame),
    ];

    // After Columns: static fields are initialised in text order.
    /// <summary>Every column a summary.parquet holds: <see cref="Columns"/>, then the per-image means.</summary>
    public static IReadOnlyList<ResultColumn<SummaryParquetRow>> Written { get; } =
    [
        .. Columns,
        .. ModelAccumulator.RealisticMeans.Select(m => new ResultColumn<SummaryParquetRow>("realistic_" + m.Name, ColumnType.Double, true,
            $"mean of {m.Name} over measured images", r => r.Means?.GetValueOrDefault(m.Name))),
    ];
}
