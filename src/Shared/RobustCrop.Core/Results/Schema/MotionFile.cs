namespace RobustCrop.Core.Results;

/// <summary>
/// One row per image × model × motion spec [× RICS setting] (motion/model=&lt;m&gt;/part-&lt;shard&gt;.parquet, DESIGN
/// §4b): the realistic metrics with each moved view in place of the 1-px shifts. The plain model's row has no window,
/// score or mode; a RICS row compares the RICS prediction of each moved view with that of the base view.
/// </summary>
/// <param name="Embeddings">With --keep-embeddings: the moved views' normalised outputs (a combining mode's combined ones),
/// concatenated in view order, the views that leave the scene left out; the aggregator searches them for nn_changed against
/// the base embeddings the realistic nn_changed_1px uses (the crops files' for the plain model, the rics files' for RICS).</param>
public sealed record MotionRow(
    string RunId,
    int Shard,
    string ImageKey,
    string? Label,
    string Model,
    string Motion,
    string Kind,
    double Amount,
    int? Window,
    string? Score,
    string? Mode,
    int Views,
    double? Consistency,
    bool? Fooled,
    double CosineMin,
    bool Changed,
    double? SelectionKept,
    double? BorderRate,
    float[]? Embeddings = null);

/// <summary>The columns of a motion file, in file order.</summary>
public static class MotionSchema
{
    public static readonly ResultColumn<MotionRow> RunId = new("run_id", ColumnType.String, false, "the run's id", r => r.RunId);
    public static readonly ResultColumn<MotionRow> Shard = new("shard", ColumnType.Int32, false,
        "the shard that evaluated the image", r => r.Shard);
    public static readonly ResultColumn<MotionRow> ImageKey = new("image_key", ColumnType.String, false,
        "the image's key, '<dataset>/...'", r => r.ImageKey);
    public static readonly ResultColumn<MotionRow> Label = new("label", ColumnType.String, true,
        "the dataset's label, where it has one", r => r.Label);
    public static readonly ResultColumn<MotionRow> Model = new("model", ColumnType.String, false,
        "the model's id (the partition folder; not stored in partitioned files)", r => r.Model);
    public static readonly ResultColumn<MotionRow> Motion = new("motion", ColumnType.String, false,
        "the spec as given: 'subpixel:0.5', 'rotate:1', 'zoom:1.05', 'jpeg:75', 'noise:2'", r => r.Motion);
    public static readonly ResultColumn<MotionRow> Kind = new("kind", ColumnType.String, false,
        "subpixel, rotate, zoom, jpeg or noise", r => r.Kind);
    public static readonly ResultColumn<MotionRow> Amount = new("amount", ColumnType.Double, false,
        "δ scene pixels, θ degrees, scale s, JPEG quality q or σ grey levels", r => r.Amount);
    public static readonly ResultColumn<MotionRow> Window = new("window", ColumnType.Int32, true,
        "the RICS window n; null for the plain model", r => r.Window);
    public static readonly ResultColumn<MotionRow> Score = new("score", ColumnType.String, true,
        "the RICS score; null for the plain model", r => r.Score);
    public static readonly ResultColumn<MotionRow> Mode = new("mode", ColumnType.String, true,
        "the RICS representation mode ('select'); null for the plain model", r => r.Mode);
    public static readonly ResultColumn<MotionRow> Views = new("views", ColumnType.Int32, false,
        "moved views compared (subpixel 8, rotate 2, zoom 2, jpeg 9, noise 1; fewer where one leaves the scene)", r => r.Views);
    public static readonly ResultColumn<MotionRow> Consistency = new("consistency", ColumnType.Double, true,
        "share of the moved views predicting as the base view; null without classes", r => r.Consistency);
    public static readonly ResultColumn<MotionRow> Fooled = new("fooled", ColumnType.Boolean, true,
        "some moved view changed the prediction", r => r.Fooled);
    public static readonly ResultColumn<MotionRow> CosineMin = new("cosine_min", ColumnType.Double, false,
        "lowest cosine between the base view's output and a moved view's", r => r.CosineMin);
    public static readonly ResultColumn<MotionRow> Changed = new("changed", ColumnType.Boolean, false,
        "cosine_min < τ", r => r.Changed);
    public static readonly ResultColumn<MotionRow> SelectionKept = new("selection_kept", ColumnType.Double, true,
        "RICS: share of the moved views whose choice is the base view's scene crop (within a pixel; a combining mode: the same member set); null for the plain model",
        r => r.SelectionKept);
    public static readonly ResultColumn<MotionRow> BorderRate = new("border_rate", ColumnType.Double, true,
        "RICS: share of the moved views whose choice lies on the window's edge; null for the plain model and a combining mode", r => r.BorderRate);
    public static readonly ResultColumn<MotionRow> Embeddings = new("embeddings", ColumnType.FloatList, true,
        "with --keep-embeddings: the moved views' normalised outputs (a combining mode: combined), concatenated in view order; null otherwise",
        r => r.Embeddings);

    public static readonly IReadOnlyList<ResultColumn<MotionRow>> Columns =
    [
        RunId, Shard, ImageKey, Label, Model, Motion, Kind, Amount, Window, Score, Mode, Views, Consistency, Fooled, CosineMin,
        Changed, SelectionKept, BorderRate, Embeddings,
    ];
}
