namespace RobustCrop.Core.Results;

/// <summary>Where a crop came from: a realistic window of the scene or a cyclic roll of the base crop.</summary>
public enum CropKind { Realistic, Cyclic }

/// <summary>The crops files' <c>kind</c> column values of <see cref="CropKind"/>.</summary>
public static class CropKinds
{
    public const string Realistic = "realistic";
    public const string Cyclic = "cyclic";

    public static string Name(CropKind kind) => kind == CropKind.Cyclic ? Cyclic : Realistic;
}

/// <summary>One row per image × model × evaluated crop (crops/model=&lt;m&gt;/part-&lt;shard&gt;.parquet).</summary>
/// <param name="X">Top-left of the crop in scene coordinates (for cyclic crops: the base crop's).</param>
/// <param name="Dx">Shift relative to the base crop (realistic) or roll amount (cyclic).</param>
/// <param name="Prediction">Class index, null when the model has no classes.</param>
/// <param name="CosineToBase">cos(e(0), e(this crop)) of the normalised outputs.</param>
/// <param name="Embedding">Normalised output vector; only when the run keeps embeddings.</param>
public sealed record CropRow(
    string RunId,
    int Shard,
    string ImageKey,
    string Model,
    string Kind,
    int X,
    int Y,
    int Dx,
    int Dy,
    int? Prediction,
    string? PredictionLabel,
    float? Confidence,
    float CosineToBase,
    float[]? Embedding);

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
    bool? CorrectNative = null);

/// <summary>One row per input that could not be used (errors/part-&lt;shard&gt;.parquet).</summary>
/// <param name="Stage">read | decode | plan | infer.</param>
public sealed record ErrorRow(
    string RunId,
    int Shard,
    string ImageKey,
    string Stage,
    string Reason);

/// <summary>
/// One row per image × model × RICS setting (rics/model=&lt;m&gt;/part-&lt;shard&gt;.parquet): the §4 metrics with the
/// RICS prediction of each shifted frame in place of the standard one. Cyclic RICS has Score "cyclic" and Window = C.
/// </summary>
/// <param name="OffsetX">Where the base frame's choice sits in its window (realistic RICS), or its roll (cyclic).</param>
/// <param name="BorderChoices">How many of the frames' choices (base and shifted) lie on the window's edge.</param>
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
    bool? FooledWindow = null);

/// <summary>One row per input of a `predict` run (predictions/part-&lt;shard&gt;.parquet): what a deployed model answers.</summary>
/// <param name="Mode">standard (centre crop) | rics (selected crop) | rics-cyclic (canonical roll).</param>
/// <param name="X">Top-left of the classified crop in scene coordinates.</param>
/// <param name="OffsetX">Offset of the classified crop from the standard centre crop.</param>
/// <param name="RollX">Cyclic roll applied to the crop (rics-cyclic), else 0.</param>
public sealed record PredictionRow(
    string RunId,
    int Shard,
    string ImageKey,
    string? Label,
    string Model,
    string Mode,
    int Window,
    string? Score,
    int X,
    int Y,
    int OffsetX,
    int OffsetY,
    int RollX,
    int RollY,
    int? Prediction,
    string? PredictionLabel,
    float? Confidence,
    bool? Correct);
