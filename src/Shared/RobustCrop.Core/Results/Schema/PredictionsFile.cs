namespace RobustCrop.Core.Results;

/// <summary>One row per input of a `predict` run (predictions/part-&lt;shard&gt;.parquet): what a deployed model answers.
/// Columns in <see cref="PredictionsSchema"/>.</summary>
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
    bool? Correct,
    string? TopK);

/// <summary>The columns of a predictions file, in file order.</summary>
public static class PredictionsSchema
{
    public static readonly IReadOnlyList<ResultColumn<PredictionRow>> Columns =
    [
        new("run_id", ColumnType.String, false, "the run's id", r => r.RunId),
        new("shard", ColumnType.Int32, false, "the shard that classified the input", r => r.Shard),
        new("image_key", ColumnType.String, false, "the input's key", r => r.ImageKey),
        new("label", ColumnType.String, true, "the dataset's label, where it has one", r => r.Label),
        new("model", ColumnType.String, false, "the model's id", r => r.Model),
        new("mode", ColumnType.String, false, "standard (centre crop) | rics (selected crop) | rics-cyclic (canonical roll)", r => r.Mode),
        new("window", ColumnType.Int32, false, "the RICS window n (1 for standard and cyclic)", r => r.Window),
        new("score", ColumnType.String, true, "the RICS score; null for standard", r => r.Score),
        new("x", ColumnType.Int32, false, "top-left of the classified crop in scene coordinates", r => r.X),
        new("y", ColumnType.Int32, false, "top-left of the classified crop in scene coordinates", r => r.Y),
        new("offset_x", ColumnType.Int32, false, "offset of the classified crop from the standard centre crop", r => r.OffsetX),
        new("offset_y", ColumnType.Int32, false, "offset of the classified crop from the standard centre crop", r => r.OffsetY),
        new("roll_x", ColumnType.Int32, false, "cyclic roll applied to the crop (rics-cyclic), else 0", r => r.RollX),
        new("roll_y", ColumnType.Int32, false, "cyclic roll applied to the crop (rics-cyclic), else 0", r => r.RollY),
        new("prediction", ColumnType.Int32, true, "class index; null when the model has no classes", r => r.Prediction),
        new("prediction_label", ColumnType.String, true, "the class's name, where the model names it", r => r.PredictionLabel),
        new("confidence", ColumnType.Float, true, "probability of the predicted class", r => r.Confidence),
        new("correct", ColumnType.Boolean, true, "the prediction matches the label; null without label or classes", r => r.Correct),
        new("top_k", ColumnType.String, true, "the three most probable classes with their probabilities, most probable first: \"Coat 0.812 | Shirt 0.101 | Pullover 0.050\"; null without classes", r => r.TopK),
    ];
}
