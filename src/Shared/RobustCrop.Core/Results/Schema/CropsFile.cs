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

/// <summary>One row per image × model × evaluated crop (crops/model=&lt;m&gt;/part-&lt;shard&gt;.parquet); its columns are
/// declared in <see cref="CropsSchema"/>.</summary>
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

/// <summary>The columns of a crops file, in file order.</summary>
public static class CropsSchema
{
    public static readonly IReadOnlyList<ResultColumn<CropRow>> Columns =
    [
        new("run_id", ColumnType.String, false, "the run's id", r => r.RunId),
        new("shard", ColumnType.Int32, false, "the shard that evaluated the image", r => r.Shard),
        new("image_key", ColumnType.String, false, "the image's key, '<dataset>/...'", r => r.ImageKey),
        new("model", ColumnType.String, false, "the model's id (the partition folder; not stored in partitioned files)", r => r.Model),
        new("kind", ColumnType.String, false, "realistic (a window of the scene) or cyclic (a roll of the base crop)", r => r.Kind),
        new("x", ColumnType.Int32, false, "top-left of the crop in scene coordinates (cyclic crops: the base crop's)", r => r.X),
        new("y", ColumnType.Int32, false, "top-left of the crop in scene coordinates (cyclic crops: the base crop's)", r => r.Y),
        new("dx", ColumnType.Int32, false, "shift from the base crop (realistic) or roll in (-C/2, C/2] (cyclic)", r => r.Dx),
        new("dy", ColumnType.Int32, false, "shift from the base crop (realistic) or roll in (-C/2, C/2] (cyclic)", r => r.Dy),
        new("prediction", ColumnType.Int32, true, "class index; null when the model has no classes", r => r.Prediction),
        new("prediction_label", ColumnType.String, true, "the class's name, where the model names it", r => r.PredictionLabel),
        new("confidence", ColumnType.Float, true, "probability of the predicted class", r => r.Confidence),
        new("cosine_to_base", ColumnType.Float, false, "cos(e(0), e(this crop)) of the normalised outputs", r => r.CosineToBase),
        new("embedding", ColumnType.FloatList, true, "the normalised output vector; only when the run keeps embeddings", r => r.Embedding),
    ];
}
