namespace RobustCrop.IO.Results;

/// <summary>One row of a <c>--gallery</c> Parquet file. Other columns (a key, a caption) are ignored.</summary>
/// <param name="Embedding">The vector (<c>list&lt;float&gt;</c> or <c>list&lt;double&gt;</c>, elements may be declared nullable
/// as DuckDB and pyarrow write them, but none may be null).</param>
/// <param name="Model">Optional: when the column is there, a row belongs to the gallery of that model only; a null model, or
/// no column, puts the row in every model's gallery.</param>
public sealed record GalleryRow(float[]? Embedding, string? Model);

/// <summary>
/// The gallery nn_changed_1px is searched in when the user gives one (<c>evaluate --gallery</c>, <c>aggregate --gallery</c>)
/// instead of the run's own base embeddings: for instance the base embeddings of a larger reference run, exported with
/// DuckDB (<c>COPY (SELECT model, embedding FROM 'crops/**/*.parquet' WHERE kind = 'realistic' AND dx = 0 AND dy = 0)
/// TO 'gallery.parquet'</c>).
/// </summary>
public sealed class GalleryFile
{
    /// <summary>Where a run keeps the gallery it was given, so that a later <c>aggregate</c> searches the same one.</summary>
    public static string PathIn(Core.Results.RunLayout layout) => layout.Root + "gallery/gallery.parquet";

    private readonly List<GalleryRow> _rows;

    private GalleryFile(string name, List<GalleryRow> rows)
    {
        Name = name;
        _rows = rows;
    }

    /// <summary>The file's name, as the summary records it.</summary>
    public string Name { get; }

    public int Count => _rows.Count;

    /// <summary>The vectors of <paramref name="model"/>'s gallery: its own rows and those for every model.</summary>
    public IReadOnlyList<float[]> For(string model)
        => [.. _rows.Where(r => r.Model is null || string.Equals(r.Model, model, StringComparison.Ordinal)).Select(r => r.Embedding!)];

    /// <summary>Reads and checks a gallery; every problem is one line naming the file, as an <see cref="InvalidDataException"/>.</summary>
    public static async Task<GalleryFile> ReadAsync(Stream input, string name, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        List<GalleryRow> rows;
        try
        {
            rows = await ResultParquet.ReadRowsAsync<GalleryRow>(input, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or NotSupportedException or InvalidOperationException
            or ArgumentException or Parquet.ParquetException)
        {
            throw new InvalidDataException($"gallery {name}: cannot be read as a gallery ({FirstLine(e.Message)})", e);
        }
        if (rows.Count == 0) throw new InvalidDataException($"gallery {name}: holds no rows");
        var dimensions = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < rows.Count; i++)
        {
            var e = rows[i].Embedding;
            if (e is null || e.Length == 0) throw new InvalidDataException($"gallery {name}: row {i + 1} has no embedding (an 'embedding' list<float> column is required)");
            if (Array.FindIndex(e, v => !float.IsFinite(v)) is int bad and >= 0)
                throw new InvalidDataException($"gallery {name}: row {i + 1} has a non-finite value at element {bad}");
            string group = rows[i].Model ?? "";
            if (!dimensions.TryAdd(group, e.Length) && dimensions[group] != e.Length)
                throw new InvalidDataException($"gallery {name}: row {i + 1} is {e.Length}-dimensional, earlier rows{(group.Length > 0 ? $" of model {group}" : "")} are {dimensions[group]}-dimensional");
        }
        // Rows for every model are searched with each model's own rows: their dimensions must agree too.
        if (dimensions.TryGetValue("", out int shared))
            foreach (var (model, d) in dimensions)
                if (d != shared) throw new InvalidDataException($"gallery {name}: rows of model {model} are {d}-dimensional, rows for every model {shared}-dimensional");
        return new GalleryFile(name, rows);
    }

    /// <summary>Reads a gallery from a local path (what the command line is given).</summary>
    public static async Task<GalleryFile> ReadAsync(string path, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new InvalidDataException($"gallery {path}: no such file");
        await using var input = File.OpenRead(path);
        return await ReadAsync(input, Path.GetFileName(path), ct).ConfigureAwait(false);
    }

    /// <summary>The dimension of <paramref name="model"/>'s gallery vectors; null when it has none.</summary>
    public int? DimensionFor(string model) => For(model) is { Count: > 0 } v ? v[0].Length : null;

    private static string FirstLine(string message)
    {
        int nl = message.IndexOfAny(['\r', '\n']);
        return nl < 0 ? message : message[..nl];
    }
}
