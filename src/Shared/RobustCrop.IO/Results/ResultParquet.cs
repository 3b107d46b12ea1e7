using Parquet;
using RobustCrop.Core.Results;

namespace RobustCrop.IO.Results;

/// <summary>Well-known keys of the Parquet file key-value metadata.</summary>
public static class ResultMetadataKeys
{
    public const string RunId = "robustcrop.run_id";
    public const string Model = "robustcrop.model";
    public const string EmbeddingDimension = "robustcrop.embedding_dim";
    /// <summary>Preprocessing settings as JSON (input size, resize size, interpolation, mean/std).</summary>
    public const string Preprocessing = "robustcrop.preprocessing";
    public const string RobustCropVersion = "robustcrop.version";
    /// <summary>The dataset name of the run (images files), so a run can be re-aggregated from its files alone.</summary>
    public const string Dataset = "robustcrop.dataset";
    /// <summary>The device the model ran on (images files).</summary>
    public const string Device = "robustcrop.device";
}

/// <summary>Reads and writes the result files (crops, images, rics, errors, predictions, summary) as single Parquet files.
/// Columns are the file's declared ones (<see cref="ResultSchemas"/>), in order; nullable columns are optional. A table
/// without a declaration maps its record's properties, named in snake_case (<see cref="ColumnName"/>). The embedding
/// column (list&lt;float&gt;) is left out when no row keeps an embedding.</summary>
public static class ResultParquet
{
    /// <summary>Rows per row group. A shard file is one or a few large row groups, which is what
    /// analytics engines read efficiently.</summary>
    public const int RowGroupSize = 100_000;

    /// <summary>Hive partition columns (the folder <c>model=&lt;m&gt;/</c>) and the key-value metadata key holding the same
    /// value. Partitioned files never store these columns: pyarrow, Spark and polars reject or duplicate a column that is
    /// both in the file and in the folder name.</summary>
    public static readonly IReadOnlyDictionary<string, string> PartitionColumns =
        new Dictionary<string, string>(StringComparer.Ordinal) { ["model"] = ResultMetadataKeys.Model };

    /// <summary>snake_case column name of a row property, e.g. "Cosine1pxMin" → "cosine_1px_min".</summary>
    public static string ColumnName(string propertyName) => SnakeCase.From(propertyName);

    /// <summary>All column names a row type maps to, in file order (list columns included).</summary>
    public static IReadOnlyList<string> ColumnNames<TRow>() where TRow : class => new ParquetColumns<TRow>().AllColumnNames;

    public static Task WriteCropRowsAsync(Stream output, IReadOnlyList<CropRow> rows,
        IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
        => WriteRowsAsync(output, rows, metadata, cancellationToken);

    public static Task WriteImageRowsAsync(Stream output, IReadOnlyList<ImageRow> rows,
        IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
        => WriteRowsAsync(output, rows, metadata, cancellationToken);

    /// <summary>Writes the rows of one <c>model=&lt;m&gt;/</c> partition file: every column but the partition column, whose
    /// value goes into the key-value metadata (<see cref="ResultMetadataKeys.Model"/>) instead.</summary>
    /// <exception cref="ArgumentException">A row belongs to another model than <paramref name="model"/>.</exception>
    public static async Task WritePartitionRowsAsync<TRow>(Stream output, string model, IReadOnlyList<TRow> rows,
        Func<TRow, string> modelOf, IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
        where TRow : class
    {
        ArgumentNullException.ThrowIfNull(rows);
        foreach (var r in rows)
            if (!string.Equals(modelOf(r), model, StringComparison.Ordinal))
                throw new ArgumentException($"a row of model '{modelOf(r)}' cannot go into the partition of model '{model}'", nameof(rows));
        var meta = metadata is null ? new Dictionary<string, string>(StringComparer.Ordinal) : new Dictionary<string, string>(metadata, StringComparer.Ordinal);
        meta[ResultMetadataKeys.Model] = model;
        await WriteRowsAsync(output, rows, meta, cancellationToken, PartitionColumns.Keys.ToArray()).ConfigureAwait(false);
    }

    public static Task WriteErrorRowsAsync(Stream output, IReadOnlyList<ErrorRow> rows,
        IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default)
        => WriteRowsAsync(output, rows, metadata, cancellationToken);

    public static Task<List<CropRow>> ReadCropRowsAsync(Stream input, CancellationToken cancellationToken = default)
        => ReadRowsAsync<CropRow>(input, cancellationToken);

    public static Task<List<ImageRow>> ReadImageRowsAsync(Stream input, CancellationToken cancellationToken = default)
        => ReadRowsAsync<ImageRow>(input, cancellationToken);

    public static Task<List<ErrorRow>> ReadErrorRowsAsync(Stream input, CancellationToken cancellationToken = default)
        => ReadRowsAsync<ErrorRow>(input, cancellationToken);

    /// <summary>The file's key-value metadata.</summary>
    public static async Task<Dictionary<string, string>> ReadMetadataAsync(Stream input, CancellationToken cancellationToken = default)
    {
        var seekable = await SeekableAsync(input, cancellationToken).ConfigureAwait(false);
        try
        {
            await using var reader = await ParquetReader.CreateAsync(seekable, leaveStreamOpen: true, cancellationToken: cancellationToken).ConfigureAwait(false);
            return new Dictionary<string, string>(reader.CustomMetadata, StringComparer.Ordinal);
        }
        finally
        {
            if (!ReferenceEquals(seekable, input))
                await seekable.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Writes any positional record with supported property types (int, long, float, double,
    /// bool, string, their nullable forms, float[]) under the same naming rules.</summary>
    public static Task WriteRowsAsync<TRow>(Stream output, IReadOnlyList<TRow> rows,
        IReadOnlyDictionary<string, string>? metadata = null, CancellationToken cancellationToken = default) where TRow : class
        => WriteRowsAsync(output, rows, metadata, cancellationToken, omitted: null);

    /// <summary>Writes the rows under <paramref name="columns"/> (a table whose declaration goes beyond its record, as
    /// summary.parquet's per-image means do).</summary>
    internal static Task WriteRowsAsync<TRow>(Stream output, IReadOnlyList<TRow> rows, IReadOnlyList<ResultColumn<TRow>> columns,
        IReadOnlyDictionary<string, string>? metadata, CancellationToken cancellationToken) where TRow : class
        => WriteRowsAsync(output, rows, metadata, cancellationToken, omitted: null, new ParquetColumns<TRow>(columns));

    private static async Task WriteRowsAsync<TRow>(Stream output, IReadOnlyList<TRow> rows,
        IReadOnlyDictionary<string, string>? metadata, CancellationToken cancellationToken, IReadOnlyCollection<string>? omitted,
        ParquetColumns<TRow>? mapping = null) where TRow : class
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(rows);
        var columns = mapping ?? new ParquetColumns<TRow>();
        if (output.CanSeek)
        {
            await columns.WriteAsync(output, rows, metadata, RowGroupSize, cancellationToken, omitted).ConfigureAwait(false);
            return;
        }
        // The Parquet footer is written after seeking, so a forward-only sink (an upload stream) gets a
        // buffered copy.
        using var buffer = new MemoryStream();
        await columns.WriteAsync(buffer, rows, metadata, RowGroupSize, cancellationToken, omitted).ConfigureAwait(false);
        buffer.Position = 0;
        await buffer.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
    }

    public static async Task<List<TRow>> ReadRowsAsync<TRow>(Stream input, CancellationToken cancellationToken = default) where TRow : class
    {
        ArgumentNullException.ThrowIfNull(input);
        var seekable = await SeekableAsync(input, cancellationToken).ConfigureAwait(false);
        try
        {
            return await new ParquetColumns<TRow>().ReadAsync(seekable, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (!ReferenceEquals(seekable, input))
                await seekable.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task<Stream> SeekableAsync(Stream input, CancellationToken cancellationToken)
    {
        if (input.CanSeek)
            return input;
        // Parquet is read from the footer backwards, which needs random access.
        var copy = new MemoryStream();
        await input.CopyToAsync(copy, cancellationToken).ConfigureAwait(false);
        copy.Position = 0;
        return copy;
    }
}
