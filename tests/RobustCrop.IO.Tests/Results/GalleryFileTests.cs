using RobustCrop.IO.Results;

namespace RobustCrop.IO.Tests.Results;

/// <summary>A --gallery file: which rows each model searches, and one line naming the file for each thing it cannot use.</summary>
public sealed class GalleryFileTests
{
    [Fact]
    public async Task Rows_without_a_model_belong_to_every_model_and_rows_with_one_to_that_model_only()
    {
        var g = await ReadAsync([new([1, 0], null), new([0, 1], "m"), new([1, 1], "n")]);
        Assert.Equal(3, g.Count);
        Assert.Equal([[1f, 0f], [0f, 1f]], g.For("m"));
        Assert.Equal([[1f, 0f]], g.For("other"));
        Assert.Equal(2, g.DimensionFor("n"));
    }

    [Theory]
    [InlineData("empty", "gallery g.parquet: holds no rows")]
    [InlineData("null", "gallery g.parquet: row 2 has no embedding (an 'embedding' list<float> column is required)")]
    [InlineData("nan", "gallery g.parquet: row 1 has a non-finite value at element 1")]
    [InlineData("dims", "gallery g.parquet: row 2 is 3-dimensional, earlier rows are 2-dimensional")]
    [InlineData("model-dims", "gallery g.parquet: rows of model m are 3-dimensional, rows for every model 2-dimensional")]
    public async Task What_cannot_be_searched_is_refused_in_one_line(string what, string message)
    {
        List<GalleryRow> rows = what switch
        {
            "empty" => [],
            "null" => [new([1, 0], null), new(null, null)],
            "nan" => [new([1, float.NaN], null)],
            "dims" => [new([1, 0], null), new([1, 0, 0], null)],
            _ => [new([1, 0], null), new([1, 0, 0], "m")],
        };
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => ReadAsync(rows));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public async Task A_file_that_is_not_a_gallery_is_refused_in_one_line_naming_it()
    {
        using var junk = new MemoryStream("not parquet at all"u8.ToArray());
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => GalleryFile.ReadAsync(junk, "g.parquet", default));
        Assert.StartsWith("gallery g.parquet: cannot be read as a gallery (", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        var missing = await Assert.ThrowsAsync<InvalidDataException>(() => GalleryFile.ReadAsync(Path.Combine(Path.GetTempPath(), "no-such-gallery.parquet"), default));
        Assert.EndsWith("no-such-gallery.parquet: no such file", missing.Message);
    }

    private static async Task<GalleryFile> ReadAsync(List<GalleryRow> rows)
    {
        using var stream = new MemoryStream();
        await ResultParquet.WriteRowsAsync(stream, rows);
        stream.Position = 0;
        return await GalleryFile.ReadAsync(stream, "g.parquet", default);
    }
}
