using System.Text;
using Parquet;
using Parquet.Schema;
using RobustCrop.IO.Data;

namespace RobustCrop.IO.Tests.Data;

public sealed class ParquetImageDatasetTests
{
    /// <summary>Writes rows in row groups of the given sizes; image i is the text "img{i}", row 3's image is null.</summary>
    private static async Task WriteAsync(string path, int[] groupSizes, bool withLabelAndKey)
    {
        var image = new DataField<byte[]>("image");
        var label = new DataField<int>("label");
        var key = new DataField<string>("key");
        var schema = withLabelAndKey ? new ParquetSchema(image, label, key) : new ParquetSchema(image);
        await using var file = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(schema, file);
        int row = 0;
        foreach (int size in groupSizes)
        {
            var rows = Enumerable.Range(row, size).ToArray();
            using var group = writer.CreateRowGroup();
            await group.WriteAsync(image, rows.Select(i => i == 3 ? null! : Encoding.UTF8.GetBytes($"img{i}")).ToArray());
            if (withLabelAndKey)
            {
                await group.WriteAsync<int>(label, rows.Select(i => i % 3).ToArray());
                await group.WriteAsync(key, rows.Select(i => $"k{i:D2}").ToArray());
            }
            row += size;
        }
    }

    [Fact]
    public async Task Reads_images_labels_and_keys_across_row_groups()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "pics.parquet");
        await WriteAsync(path, [3, 4], withLabelAndKey: true);
        var ds = new ParquetImageDataset(path);

        Assert.Equal(("pics", 7L), (ds.Name, ds.Count));
        Assert.Equal([(0L, 5L), (5, 2)], ds.PlanShards(5).Select(s => (s.Start, s.Count)));
        var records = ShardAssert.StablePlanAndReadAll(ds, 2);
        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"pics/k{i:D2}"), records.Select(r => r.Key));
        Assert.Equal(["0", "1", "2", "0", "1", "2", "0"], records.Select(r => r.Label));
        Assert.Equal("img5", Encoding.UTF8.GetString(records[5].Encoded!.Value.Span));
        Assert.Equal("no image bytes in column image", records[3].ReadError);
        Assert.Equal(6, records.Count(r => r.ReadError is null));
        foreach (int size in new[] { 1, 3, 4, 7, 8 })
            ShardAssert.CoversEachItemOnce(ds, size, records.Select(r => r.Key).ToList());
    }

    [Fact]
    public async Task A_repeated_key_is_an_error_row_whichever_shard_holds_it()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "dups.parquet");
        var image = new DataField<byte[]>("image");
        var key = new DataField<string>("key");
        await using (var file = File.Create(path))
        await using (var writer = await ParquetWriter.CreateAsync(new ParquetSchema(image, key), file))
        {
            using var group = writer.CreateRowGroup();
            await group.WriteAsync(image, Enumerable.Range(0, 6).Select(i => Encoding.UTF8.GetBytes($"img{i}")).ToArray());
            await group.WriteAsync(key, new[] { "a", "b", "a", "c", "b", "a" });
        }
        var ds = new ParquetImageDataset(path);

        // Shards of 2: the repeats of "a" (rows 2, 5) and "b" (row 4) are in other shards than their first rows.
        var records = ds.PlanShards(2).SelectMany(ds.ReadShard).ToList();
        Assert.Equal(6, records.Count);
        Assert.Equal([null, null, "duplicate key: row 2 repeats the key of row 0", null,
            "duplicate key: row 4 repeats the key of row 1", "duplicate key: row 5 repeats the key of row 0"], records.Select(r => r.ReadError));
        Assert.Equal(3, records.Where(r => r.ReadError is null).Select(r => r.Key).Distinct().Count());
    }

    [Fact]
    public async Task Without_key_and_label_rows_are_numbered_and_unlabelled()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "plain.parquet");
        await WriteAsync(path, [2], withLabelAndKey: false);

        var ds = Assert.IsType<ParquetImageDataset>(DatasetFactory.Open(path));
        var records = ds.ReadShard(ds.PlanShards(10)[0]).ToList();

        Assert.Equal(["plain/000000", "plain/000001"], records.Select(r => r.Key));
        Assert.All(records, r => Assert.Null(r.Label));
    }

    [Fact]
    public async Task Reads_a_hugging_face_image_struct_and_string_labels()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "hf.parquet");
        var bytes = new DataField<byte[]>("bytes");
        var imagePath = new DataField<string>("path");
        var label = new DataField<string>("label");
        var schema = new ParquetSchema(new StructField("image", bytes, imagePath), label);
        await using (var file = File.Create(path))
        await using (var writer = await ParquetWriter.CreateAsync(schema, file))
        {
            using var group = writer.CreateRowGroup();
            await group.WriteAsync(bytes, new[] { Encoding.UTF8.GetBytes("png-a"), Encoding.UTF8.GetBytes("png-b") });
            await group.WriteAsync(imagePath, new[] { "a.png", "b.png" });
            await group.WriteAsync(label, new[] { "cat", "dog" });
        }

        var ds = new ParquetImageDataset(path);
        var records = ds.ReadShard(ds.PlanShards(10)[0]).ToList();

        Assert.Equal(["png-a", "png-b"], records.Select(r => Encoding.UTF8.GetString(r.Encoded!.Value.Span)));
        Assert.Equal(["cat", "dog"], records.Select(r => r.Label));
    }

    [Fact]
    public void A_file_that_is_not_parquet_fails_at_open()
    {
        using var dir = new TempDir();
        string path = dir.File("bad.parquet", "definitely not parquet");

        var e = Assert.Throws<DatasetException>(() => new ParquetImageDataset(path));
        Assert.StartsWith("bad.parquet: not a readable Parquet file", e.Message);
    }

    [Fact]
    public async Task A_footer_claiming_1e15_rows_is_refused_at_open_in_one_line()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "liar.parquet");
        await WriteAsync(path, [3], withLabelAndKey: false);
        ParquetFooterForgery.Rewrite(path, meta =>
        {
            meta.NumRows = 1_000_000_000_000_000;
            meta.RowGroups[0].NumRows = 1_000_000_000_000_000;
        });

        // Before the check the dataset counted 10^15 rows and planned a shard per thousand of them.
        var e = Assert.Throws<DatasetException>(() => new ParquetImageDataset(path));
        Assert.StartsWith("liar.parquet: its footer does not match the file: row group 0 claims 1000000000000000 rows, but its image column holds ", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public async Task Row_groups_that_all_point_at_one_data_chunk_are_refused_at_open()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "copies.parquet");
        await WriteAsync(path, [4], withLabelAndKey: true);
        ParquetFooterForgery.Rewrite(path, meta =>
        {
            var group = meta.RowGroups[0];
            meta.RowGroups = [.. Enumerable.Repeat(group, 500)];
            meta.NumRows = 500 * group.NumRows;
        });

        // Before the check: 2,000 planned inputs (500 copies of the same 4 rows) from a file of a few hundred bytes.
        var e = Assert.Throws<DatasetException>(() => new ParquetImageDataset(path));
        Assert.StartsWith("copies.parquet: its footer does not match the file: row groups 0 and 1 claim the same bytes of the image column", e.Message);
    }

    [Fact]
    public async Task A_row_group_pointing_past_the_end_of_the_file_is_refused_at_open()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "far.parquet");
        await WriteAsync(path, [2, 2], withLabelAndKey: false);
        ParquetFooterForgery.Rewrite(path, meta => meta.RowGroups[1].Columns[0].MetaData!.DataPageOffset = 1L << 40);

        var e = Assert.Throws<DatasetException>(() => new ParquetImageDataset(path));
        Assert.Contains("row group 1 claims 2 rows in ", e.Message);
        Assert.Contains("outside the file's ", e.Message);
    }
}
