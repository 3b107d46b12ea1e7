namespace RobustCrop.Core.Results;

/// <summary>One row per image × model: the DESIGN §4 metrics (images/model=&lt;m&gt;/part-&lt;shard&gt;.parquet).
/// Nullable metrics are null where they do not apply (no classes, no label).</summary>
/// <param name="Url">The last six come from an img2dataset sample's .json (null elsewhere): url, caption (only with
/// --captions), img2dataset's key, the width and height it recorded, and its status.</param>
/// <param name="CorrectNative">For a model measured with resize.margin: whether the centre crop at its native resize
/// (its own preprocessing) is correct; null otherwise.</param>
public sealed record ImageRow(
    string RunId,
    int Shard,
    string ImageKey,
    string? Label,
    string Model,
    int SourceWidth,
    int SourceHeight,
    int SceneWidth,
    int SceneHeight,
    int CropsInferred,
    int? Prediction,
    string? PredictionLabel,
    float? Confidence,
    bool? Correct,
    int Shifts1px,
    double? Consistency1px,
    bool? Fooled1px,
    int WindowK,
    int WindowShifts,
    bool? FooledWindow,
    double Cosine1pxMin,
    bool Changed1px,
    int CyclicShifts1px,
    double? CyclicConsistency1px,
    bool? CyclicFooled1px,
    double CyclicCosine1pxMin,
    bool CyclicChanged1px,
    string? Url = null,
    string? Caption = null,
    string? SampleKey = null,
    int? SampleWidth = null,
    int? SampleHeight = null,
    string? SampleStatus = null,
    bool? CorrectNative = null,
    double? Cosine1pxMean = null);

/// <summary>The columns of an images file, in file order. The summary picks its columns from these by name.</summary>
public static class ImagesSchema
{
    public static readonly ResultColumn<ImageRow> RunId = new("run_id", ColumnType.String, false, "the run's id", r => r.RunId);
    public static readonly ResultColumn<ImageRow> Shard = new("shard", ColumnType.Int32, false,
        "the shard that evaluated the image", r => r.Shard);
    public static readonly ResultColumn<ImageRow> ImageKey = new("image_key", ColumnType.String, false,
        "the image's key, '<dataset>/...'", r => r.ImageKey);
    public static readonly ResultColumn<ImageRow> Label = new("label", ColumnType.String, true,
        "the dataset's label, where it has one", r => r.Label);
    public static readonly ResultColumn<ImageRow> Model = new("model", ColumnType.String, false,
        "the model's id (the partition folder; not stored in partitioned files)", r => r.Model);
    public static readonly ResultColumn<ImageRow> SourceWidth = new("source_width", ColumnType.Int32, false,
        "the decoded image's width", r => r.SourceWidth);
    public static readonly ResultColumn<ImageRow> SourceHeight = new("source_height", ColumnType.Int32, false,
        "the decoded image's height", r => r.SourceHeight);
    public static readonly ResultColumn<ImageRow> SceneWidth = new("scene_width", ColumnType.Int32, false,
        "the resized scene's width", r => r.SceneWidth);
    public static readonly ResultColumn<ImageRow> SceneHeight = new("scene_height", ColumnType.Int32, false,
        "the resized scene's height", r => r.SceneHeight);
    public static readonly ResultColumn<ImageRow> CropsInferred = new("crops_inferred", ColumnType.Int32, false,
        "crops the model ran on for this image", r => r.CropsInferred);
    public static readonly ResultColumn<ImageRow> Prediction = new("prediction", ColumnType.Int32, true,
        "class index on the base crop; null without classes", r => r.Prediction);
    public static readonly ResultColumn<ImageRow> PredictionLabel = new("prediction_label", ColumnType.String, true,
        "the class's name, where the model names it", r => r.PredictionLabel);
    public static readonly ResultColumn<ImageRow> Confidence = new("confidence", ColumnType.Float, true,
        "probability of the predicted class", r => r.Confidence);
    public static readonly ResultColumn<ImageRow> Correct = new("correct", ColumnType.Boolean, true,
        "base prediction matches the label; null without label or classes", r => r.Correct);
    public static readonly ResultColumn<ImageRow> Shifts1px = new("shifts_1px", ColumnType.Int32, false,
        "1-px shifts (N1) the scene had room for", r => r.Shifts1px);
    public static readonly ResultColumn<ImageRow> Consistency1px = new("consistency_1px", ColumnType.Double, true,
        "share of the 1-px shifts predicting as the base", r => r.Consistency1px);
    public static readonly ResultColumn<ImageRow> Fooled1px = new("fooled_1px", ColumnType.Boolean, true,
        "some 1-px shift changed the prediction", r => r.Fooled1px);
    public static readonly ResultColumn<ImageRow> WindowK = new("window_k", ColumnType.Int32, false,
        "k of the shift window W_k (0: not measured)", r => r.WindowK);
    public static readonly ResultColumn<ImageRow> WindowShifts = new("window_shifts", ColumnType.Int32, false,
        "shifts of W_k taken", r => r.WindowShifts);
    public static readonly ResultColumn<ImageRow> FooledWindow = new("fooled_window", ColumnType.Boolean, true,
        "some shift of W_k changed the prediction", r => r.FooledWindow);
    public static readonly ResultColumn<ImageRow> Cosine1pxMin = new("cosine_1px_min", ColumnType.Double, false,
        "lowest cosine between the base output and a 1-px shift's (1 without shifts)", r => r.Cosine1pxMin);
    public static readonly ResultColumn<ImageRow> Changed1px = new("changed_1px", ColumnType.Boolean, false,
        "cosine_1px_min < τ", r => r.Changed1px);
    public static readonly ResultColumn<ImageRow> CyclicShifts1px = new("cyclic_shifts_1px", ColumnType.Int32, false,
        "1-px cyclic rolls taken", r => r.CyclicShifts1px);
    public static readonly ResultColumn<ImageRow> CyclicConsistency1px = new("cyclic_consistency_1px", ColumnType.Double, true,
        "share of the 1-px rolls predicting as the base", r => r.CyclicConsistency1px);
    public static readonly ResultColumn<ImageRow> CyclicFooled1px = new("cyclic_fooled_1px", ColumnType.Boolean, true,
        "some 1-px roll changed the prediction", r => r.CyclicFooled1px);
    public static readonly ResultColumn<ImageRow> CyclicCosine1pxMin = new("cyclic_cosine_1px_min", ColumnType.Double, false,
        "lowest cosine between the base output and a 1-px roll's", r => r.CyclicCosine1pxMin);
    public static readonly ResultColumn<ImageRow> CyclicChanged1px = new("cyclic_changed_1px", ColumnType.Boolean, false,
        "cyclic_cosine_1px_min < τ", r => r.CyclicChanged1px);
    public static readonly ResultColumn<ImageRow> Url = new("url", ColumnType.String, true, "img2dataset: the image's url", r => r.Url);
    public static readonly ResultColumn<ImageRow> Caption = new("caption", ColumnType.String, true,
        "img2dataset: the caption (only with --captions)", r => r.Caption);
    public static readonly ResultColumn<ImageRow> SampleKey = new("sample_key", ColumnType.String, true,
        "img2dataset: its key", r => r.SampleKey);
    public static readonly ResultColumn<ImageRow> SampleWidth = new("sample_width", ColumnType.Int32, true,
        "img2dataset: the width it recorded", r => r.SampleWidth);
    public static readonly ResultColumn<ImageRow> SampleHeight = new("sample_height", ColumnType.Int32, true,
        "img2dataset: the height it recorded", r => r.SampleHeight);
    public static readonly ResultColumn<ImageRow> SampleStatus = new("sample_status", ColumnType.String, true,
        "img2dataset: its status", r => r.SampleStatus);
    public static readonly ResultColumn<ImageRow> CorrectNative = new("correct_native", ColumnType.Boolean, true,
        "resize.margin models: the centre crop at the native resize is correct; null otherwise", r => r.CorrectNative);
    public static readonly ResultColumn<ImageRow> Cosine1pxMean = new("cosine_1px_mean", ColumnType.Double, true,
        "mean cosine between the base output and the 1-px shifts' (the typical shift beside cosine_1px_min's worst); null without shifts",
        r => r.Cosine1pxMean);

    public static readonly IReadOnlyList<ResultColumn<ImageRow>> Columns =
    [
        RunId, Shard, ImageKey, Label, Model, SourceWidth, SourceHeight, SceneWidth, SceneHeight, CropsInferred,
        Prediction, PredictionLabel, Confidence, Correct, Shifts1px, Consistency1px, Fooled1px, WindowK, WindowShifts,
        FooledWindow, Cosine1pxMin, Changed1px, CyclicShifts1px, CyclicConsistency1px, CyclicFooled1px, CyclicCosine1pxMin,
        CyclicChanged1px, Url, Caption, SampleKey, SampleWidth, SampleHeight, SampleStatus, CorrectNative,
        Cosine1pxMean,
    ];
}
