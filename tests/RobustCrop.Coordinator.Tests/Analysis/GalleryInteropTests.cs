using DuckDB.NET.Data;
using RobustCrop.IO.Results;

namespace RobustCrop.Coordinator.Tests.Analysis;

/// <summary>
/// Galleries as users make them: written by DuckDB, which declares list elements nullable and, unless told FLOAT[], writes
/// doubles — the shape pyarrow and Spark write too. Each is read as the same vectors; a null element is refused in one line.
/// </summary>
public sealed class GalleryInteropTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("robustcrop-gallery-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    [Theory]
    [InlineData("FLOAT")]
    [InlineData("DOUBLE")]
    public async Task A_duckdb_gallery_reads_as_its_vectors_with_the_model_column_applied(string type)
    {
        string file = Copy($"SELECT * FROM (VALUES ('m', [0.25, -1.5]::{type}[]), (NULL, [2.0, 0.5]::{type}[]), ('n', [1.0, 1.0]::{type}[])) t(model, embedding)");
        var g = await GalleryFile.ReadAsync(file, default);
        Assert.Equal(3, g.Count);
        Assert.Equal([[0.25f, -1.5f], [2.0f, 0.5f]], g.For("m"));
        Assert.Equal([[2.0f, 0.5f]], g.For("x"));
    }

    [Fact]
    public async Task A_gallery_without_a_model_column_is_every_models_gallery()
    {
        string file = Copy("SELECT 'k' || i AS key, [i::FLOAT, 1.0::FLOAT] AS embedding FROM range(4) r(i)");
        var g = await GalleryFile.ReadAsync(file, default);
        Assert.Equal([[0f, 1f], [1f, 1f], [2f, 1f], [3f, 1f]], g.For("any"));
    }

    [Fact]
    public async Task A_null_element_is_refused_in_one_line()
    {
        string file = Copy("SELECT [1.0, NULL]::FLOAT[] AS embedding");
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => GalleryFile.ReadAsync(file, default));
        Assert.StartsWith("gallery g.parquet: cannot be read as a gallery (", e.Message);
        Assert.Contains("null element", e.Message);
    }

    private string Copy(string select)
    {
        string file = Path.Combine(_root, "g.parquet");
        using var c = new DuckDBConnection("DataSource=:memory:");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"COPY ({select}) TO '{file.Replace("'", "''", StringComparison.Ordinal)}' (FORMAT parquet)";
        cmd.ExecuteNonQuery();
        return file;
    }
}
