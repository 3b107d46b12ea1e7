namespace RobustCrop.Core.Results;

/// <summary>
/// One row per image × model × RICS setting (rics/model=&lt;m&gt;/part-&lt;shard&gt;.parquet): the §4 metrics with the
/// RICS prediction of each shifted frame in place of the standard one. Cyclic RICS has Score "cyclic" and Window = C.
/// </summary>
/// <param name="OffsetX">Where the base frame's choice sits in its window (realistic RICS), or its roll (cyclic).</param>
/// <param name="BorderChoices">How many of the frames' choices (base and shifted) lie on the window's edge.</param>
/// <param name="SelectionKeptAxis1px">Share of the axis-aligned 1-px frames whose choice is the base frame's very scene crop: the
/// event the hash bound (n−1)/(n+1) is about. Null for cyclic RICS and where no axis frame fits the scene.</param>
/// <param name="RealisticShifts1px">Cyclic RICS only (null on realistic rows): the realistic 1-px shifts measured for the
/// canonicalised model — the crop at base + Δ in the scene canonicalised and compared with the canonical base — with the
/// plain model's realistic metrics in the realistic_* columns after it (DESIGN §9 rics_cyclic.realistic).</param>
/// <param name="Mode">The representation mode (DESIGN §5b): select, soft&lt;k&gt;, mean-all; cyclic RICS: select. Null in files
/// written before modes existed, read as select.</param>
/// <param name="Embedding">With --keep-embeddings: the base frame's output under this setting (for a combining mode the
/// combined, normalised vector), and in <paramref name="Embeddings1px"/> the 1-px frames' ones that fit, concatenated.</param>
public sealed record RicsRow(
    string RunId,
    int Shard,
    string ImageKey,
    string? Label,
    string Model,
    int Window,
    string Score,
    int? Prediction,
    string? PredictionLabel,
    float? Confidence,
    bool? Correct,
    int OffsetX,
    int OffsetY,
    int Frames,
    int BorderChoices,
    int Shifts1px,
    double? Consistency1px,
    bool? Fooled1px,
    double Cosine1pxMin,
    bool Changed1px,
    int WindowK = 0,
    int WindowShifts = 0,
    bool? FooledWindow = null,
    double? SelectionKeptAxis1px = null,
    int? RealisticShifts1px = null,
    double? RealisticConsistency1px = null,
    bool? RealisticFooled1px = null,
    double? RealisticCosine1pxMin = null,
    bool? RealisticChanged1px = null,
    string? Mode = null,
    double? ForwardsPerFrame = null,
    float[]? Embedding = null,
    float[]? Embeddings1px = null);

/// <summary>The columns of a rics file, in file order. The summary picks its columns from these by name.</summary>
public static class RicsSchema
{
    public static readonly ResultColumn<RicsRow> RunId = new("run_id", ColumnType.String, false, "the run's id", r => r.RunId);
    public static readonly ResultColumn<RicsRow> Shard = new("shard", ColumnType.Int32, false,
        "the shard that evaluated the image", r => r.Shard);
    public static readonly ResultColumn<RicsRow> ImageKey = new("image_key", ColumnType.String, false,
        "the image's key, '<dataset>/...'", r => r.ImageKey);
    public static readonly ResultColumn<RicsRow> Label = new("label", ColumnType.String, true,
        "the dataset's label, where it has one", r => r.Label);
    public static readonly ResultColumn<RicsRow> Model = new("model", ColumnType.String, false,
        "the model's id (the partition folder; not stored in partitioned files)", r => r.Model);
    public static readonly ResultColumn<RicsRow> Window = new("window", ColumnType.Int32, false,
        "the RICS window n (cyclic: C)", r => r.Window);
    public static readonly ResultColumn<RicsRow> Score = new("score", ColumnType.String, false,
        "the RICS score; 'cyclic' for cyclic RICS", r => r.Score);
    public static readonly ResultColumn<RicsRow> Prediction = new("prediction", ColumnType.Int32, true,
        "class index on the selected crop; null without classes", r => r.Prediction);
    public static readonly ResultColumn<RicsRow> PredictionLabel = new("prediction_label", ColumnType.String, true,
        "the class's name, where the model names it", r => r.PredictionLabel);
    public static readonly ResultColumn<RicsRow> Confidence = new("confidence", ColumnType.Float, true,
        "probability of the predicted class", r => r.Confidence);
    public static readonly ResultColumn<RicsRow> Correct = new("correct", ColumnType.Boolean, true,
        "RICS prediction matches the label; null without label or classes", r => r.Correct);
    public static readonly ResultColumn<RicsRow> OffsetX = new("offset_x", ColumnType.Int32, false,
        "where the base frame's choice sits in its window (a combining mode: its named member; cyclic: its roll)", r => r.OffsetX);
    public static readonly ResultColumn<RicsRow> OffsetY = new("offset_y", ColumnType.Int32, false,
        "where the base frame's choice sits in its window (a combining mode: its named member; cyclic: its roll)", r => r.OffsetY);
    public static readonly ResultColumn<RicsRow> Frames = new("frames", ColumnType.Int32, false,
        "frames (base and shifted) whose window fits the scene", r => r.Frames);
    public static readonly ResultColumn<RicsRow> BorderChoices = new("border_choices", ColumnType.Int32, false,
        "frames whose choice (a combining mode: named member) lies on the window's edge", r => r.BorderChoices);
    public static readonly ResultColumn<RicsRow> Shifts1px = new("shifts_1px", ColumnType.Int32, false,
        "1-px shifted frames compared", r => r.Shifts1px);
    public static readonly ResultColumn<RicsRow> Consistency1px = new("consistency_1px", ColumnType.Double, true,
        "share of the 1-px frames predicting as the base", r => r.Consistency1px);
    public static readonly ResultColumn<RicsRow> Fooled1px = new("fooled_1px", ColumnType.Boolean, true,
        "some 1-px frame changed the prediction", r => r.Fooled1px);
    public static readonly ResultColumn<RicsRow> Cosine1pxMin = new("cosine_1px_min", ColumnType.Double, false,
        "lowest cosine between the base frame's choice and a 1-px frame's", r => r.Cosine1pxMin);
    public static readonly ResultColumn<RicsRow> Changed1px = new("changed_1px", ColumnType.Boolean, false,
        "cosine_1px_min < τ", r => r.Changed1px);
    public static readonly ResultColumn<RicsRow> WindowK = new("window_k", ColumnType.Int32, false,
        "k of W_k (0: not measured)", r => r.WindowK);
    public static readonly ResultColumn<RicsRow> WindowShifts = new("window_shifts", ColumnType.Int32, false,
        "frames of W_k compared", r => r.WindowShifts);
    public static readonly ResultColumn<RicsRow> FooledWindow = new("fooled_window", ColumnType.Boolean, true,
        "some frame of W_k changed the prediction", r => r.FooledWindow);
    public static readonly ResultColumn<RicsRow> SelectionKeptAxis1px = new("selection_kept_axis_1px", ColumnType.Double, true,
        "share of the 4 axis 1-px frames that select the base frame's scene crop (what the hash bound is about); null for cyclic",
        r => r.SelectionKeptAxis1px);
    public static readonly ResultColumn<RicsRow> RealisticShifts1px = new("realistic_shifts_1px", ColumnType.Int32, true,
        "cyclic RICS: realistic 1-px shifts whose crop (at base + Δ in the scene, canonicalised) was compared; null on other rows",
        r => r.RealisticShifts1px);
    public static readonly ResultColumn<RicsRow> RealisticConsistency1px = new("realistic_consistency_1px", ColumnType.Double, true,
        "cyclic RICS: share of those canonicalised crops predicting as the canonical base", r => r.RealisticConsistency1px);
    public static readonly ResultColumn<RicsRow> RealisticFooled1px = new("realistic_fooled_1px", ColumnType.Boolean, true,
        "cyclic RICS: some realistic 1-px shift changed the canonicalised model's prediction", r => r.RealisticFooled1px);
    public static readonly ResultColumn<RicsRow> RealisticCosine1pxMin = new("realistic_cosine_1px_min", ColumnType.Double, true,
        "cyclic RICS: lowest cosine between the canonical base and a realistically shifted crop's canonical image", r => r.RealisticCosine1pxMin);
    public static readonly ResultColumn<RicsRow> RealisticChanged1px = new("realistic_changed_1px", ColumnType.Boolean, true,
        "cyclic RICS: realistic_cosine_1px_min < τ", r => r.RealisticChanged1px);
    public static readonly ResultColumn<RicsRow> Mode = new("mode", ColumnType.String, true,
        "representation mode: select, soft<k> (tent-weighted mean of a content-chosen subset), mean-all; null in older files = select",
        r => r.Mode);
    public static readonly ResultColumn<RicsRow> ForwardsPerFrame = new("forwards_per_frame", ColumnType.Double, true,
        "forwards one deployed frame costs in this mode: the mean over the image's frames of the crops combined", r => r.ForwardsPerFrame);
    public static readonly ResultColumn<RicsRow> Embedding = new("embedding", ColumnType.FloatList, true,
        "with --keep-embeddings: the base frame's normalised output in this setting", r => r.Embedding);
    public static readonly ResultColumn<RicsRow> Embeddings1px = new("embeddings_1px", ColumnType.FloatList, true,
        "with --keep-embeddings: the 1-px frames' normalised outputs that fit the scene, concatenated (shifts_1px × dimension)",
        r => r.Embeddings1px);

    public static readonly IReadOnlyList<ResultColumn<RicsRow>> Columns =
    [
        RunId, Shard, ImageKey, Label, Model, Window, Score, Prediction, PredictionLabel, Confidence, Correct, OffsetX, OffsetY,
        Frames, BorderChoices, Shifts1px, Consistency1px, Fooled1px, Cosine1pxMin, Changed1px, WindowK, WindowShifts, FooledWindow,
        SelectionKeptAxis1px, RealisticShifts1px, RealisticConsistency1px, RealisticFooled1px, RealisticCosine1pxMin, RealisticChanged1px,
        Mode, ForwardsPerFrame, Embedding, Embeddings1px,
    ];
}
