namespace RobustCrop.Core.Results;

/// <summary>One row per input that could not be used (errors/part-&lt;shard&gt;.parquet); columns in <see cref="ErrorsSchema"/>.</summary>
/// <param name="Stage">read | decode | plan | infer.</param>
public sealed record ErrorRow(
    string RunId,
    int Shard,
    string ImageKey,
    string Stage,
    string Reason);

/// <summary>The columns of an errors file, in file order.</summary>
public static class ErrorsSchema
{
    public static readonly IReadOnlyList<ResultColumn<ErrorRow>> Columns =
    [
        new("run_id", ColumnType.String, false, "the run's id", r => r.RunId),
        new("shard", ColumnType.Int32, false, "the shard that met the input", r => r.Shard),
        new("image_key", ColumnType.String, false, "the input's key", r => r.ImageKey),
        new("stage", ColumnType.String, false, "where it failed: read | decode | plan | infer", r => r.Stage),
        new("reason", ColumnType.String, false, "the one-line cause", r => r.Reason),
    ];
}
