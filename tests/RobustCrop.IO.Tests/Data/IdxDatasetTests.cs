using System.Buffers.Binary;
using System.IO.Compression;
using RobustCrop.IO.Data;

namespace RobustCrop.IO.Tests.Data;

public sealed class IdxDatasetTests
{
    // Three 3-wide, 2-high images whose pixel p of image i is 10*i + p.
    private static byte[][] Pixels =>
    [
        [0, 1, 2, 3, 4, 5],
        [10, 11, 12, 13, 14, 15],
        [20, 21, 22, 23, 24, 25],
    ];

    private static byte[] Labels => [0, 2, 1];

    internal static byte[] ImagesFile(int count, int rows, int cols, IEnumerable<byte[]> images, int magic = 2051)
    {
        var header = new byte[16];
        BinaryPrimitives.WriteInt32BigEndian(header, magic);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(8), rows);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(12), cols);
        return [.. header, .. images.SelectMany(i => i)];
    }

    internal static byte[] LabelsFile(byte[] labels, int magic = 2049)
    {
        var header = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(header, magic);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), labels.Length);
        return [.. header, .. labels];
    }

    internal static byte[] Gzip(byte[] data)
    {
        using var buffer = new MemoryStream();
        using (var gz = new GZipStream(buffer, CompressionLevel.Fastest))
            gz.Write(data);
        return buffer.ToArray();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Round_trips_pixels_and_labels(bool gzip)
    {
        using var dir = new TempDir();
        string ext = gzip ? ".gz" : "";
        byte[] images = ImagesFile(3, 2, 3, Pixels), labels = LabelsFile(Labels);
        dir.File("tiny/t10k-images-idx3-ubyte" + ext, gzip ? Gzip(images) : images);
        dir.File("tiny/t10k-labels-idx1-ubyte" + ext, gzip ? Gzip(labels) : labels);

        var ds = new IdxDataset(Path.Combine(dir.Path, "tiny", "t10k-images-idx3-ubyte" + ext));

        Assert.Equal(("tiny", "t10k", 3, 3, 2), (ds.Name, ds.Split, ds.Count, ds.Width, ds.Height));
        var records = ShardAssert.StablePlanAndReadAll(ds, 2);
        Assert.Equal(["tiny/t10k/000000", "tiny/t10k/000001", "tiny/t10k/000002"], records.Select(r => r.Key));
        // No classes.txt: the label is the number.
        Assert.Equal(["0", "2", "1"], records.Select(r => r.Label));
        for (int i = 0; i < 3; i++)
        {
            var raw = records[i].Raw!;
            Assert.Null(records[i].Encoded);
            Assert.Equal((3, 2), (raw.Width, raw.Height));
            Assert.Equal(Pixels[i].SelectMany(v => new[] { v, v, v }), raw.Pixels);
        }
    }

    [Fact]
    public void Labels_take_names_from_classes_txt_and_fall_back_to_numbers()
    {
        using var dir = new TempDir();
        dir.File("d/train-images-idx3-ubyte", ImagesFile(3, 2, 3, Pixels));
        dir.File("d/train-labels-idx1-ubyte", LabelsFile(Labels));
        dir.File("d/classes.txt", "zero\none\n\n");

        var ds = new IdxDataset(Path.Combine(dir.Path, "d", "train-images-idx3-ubyte"));

        Assert.Equal(["zero", "one"], ds.ClassNames);
        Assert.Equal(["zero", "2", "one"], ds.ReadShard(ds.PlanShards(10)[0]).Select(r => r.Label));
        Assert.Equal("d/train/000002", ds.ReadShard(ds.PlanShards(10)[0]).Last().Key);
    }

    [Fact]
    public void Without_a_labels_file_records_are_unlabelled()
    {
        using var dir = new TempDir();
        string path = dir.File("d/t10k-images-idx3-ubyte", ImagesFile(3, 2, 3, Pixels));

        var ds = new IdxDataset(path);

        Assert.False(ds.IsLabelled);
        Assert.All(ds.ReadShard(ds.PlanShards(2)[1]), r => Assert.Null(r.Label));
    }

    [Fact]
    public void A_wrong_images_magic_fails_at_open()
    {
        using var dir = new TempDir();
        string path = dir.File("d/t10k-images-idx3-ubyte", ImagesFile(3, 2, 3, Pixels, magic: 2049));

        var e = Assert.Throws<DatasetException>(() => new IdxDataset(path));
        Assert.Equal("t10k-images-idx3-ubyte: not an IDX images file (magic 2049, expected 2051)", e.Message);
    }

    [Theory]
    [InlineData(7000, 7000)] // 49 Mpx: over the 40 Mpx limit encoded images have
    [InlineData(27000, 27000)] // rows × cols overflows an int
    public void Images_over_the_pixel_limit_fail_at_open_naming_the_file(int rows, int cols)
    {
        using var dir = new TempDir();
        string path = dir.File("d/t10k-images-idx3-ubyte", ImagesFile(0, rows, cols, []));

        var e = Assert.Throws<DatasetException>(() => new IdxDataset(path));
        Assert.Equal($"t10k-images-idx3-ubyte: images of {cols}x{rows} are over the 40000000-pixel limit", e.Message);
    }

    [Fact]
    public void A_gzip_with_a_forged_length_trailer_is_not_inflated_past_the_header_size()
    {
        // The header promises 3 images of 2x3 (16 + 18 bytes); the gzip holds 4 MB, and its ISIZE trailer is forged to
        // say 34 so the length check at open passes.
        using var dir = new TempDir();
        byte[] payload = [.. ImagesFile(3, 2, 3, Pixels), .. new byte[4 << 20]];
        byte[] gz = Gzip(payload);
        BinaryPrimitives.WriteUInt32LittleEndian(gz.AsSpan(gz.Length - 4), 16 + 18);
        string path = dir.File("d/t10k-images-idx3-ubyte.gz", gz);

        var ds = new IdxDataset(path);
        var records = ds.ReadShard(ds.PlanShards(10).Single()).ToList();
        Assert.Equal(3, records.Count);
        Assert.All(records, r => Assert.Equal("t10k-images-idx3-ubyte.gz: more bytes than its header's 34", r.ReadError));
    }

    [Fact]
    public void A_wrong_labels_magic_fails_at_open()
    {
        using var dir = new TempDir();
        string path = dir.File("d/t10k-images-idx3-ubyte", ImagesFile(3, 2, 3, Pixels));
        dir.File("d/t10k-labels-idx1-ubyte", LabelsFile(Labels, magic: 2051));

        var e = Assert.Throws<DatasetException>(() => new IdxDataset(path));
        Assert.Contains("not an IDX labels file (magic 2051", e.Message);
    }

    [Fact]
    public void A_label_count_that_differs_from_the_image_count_fails_at_open()
    {
        using var dir = new TempDir();
        string path = dir.File("d/t10k-images-idx3-ubyte", ImagesFile(3, 2, 3, Pixels));
        dir.File("d/t10k-labels-idx1-ubyte", LabelsFile([1, 2]));

        var e = Assert.Throws<DatasetException>(() => new IdxDataset(path));
        Assert.Equal("t10k-labels-idx1-ubyte: 2 labels for 3 images", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_truncated_images_file_fails_at_open(bool gzip)
    {
        using var dir = new TempDir();
        // The header promises 3 images; only 2 and a half are there.
        byte[] images = ImagesFile(3, 2, 3, Pixels)[..^3];
        string path = dir.File("d/t10k-images-idx3-ubyte" + (gzip ? ".gz" : ""), gzip ? Gzip(images) : images);

        var e = Assert.Throws<DatasetException>(() => new IdxDataset(path));
        Assert.Contains("truncated: 31 bytes, expected 34", e.Message);
    }

    [Fact]
    public void A_cut_gzip_stream_fails_at_open()
    {
        using var dir = new TempDir();
        var big = Enumerable.Range(0, 200).Select(i => Enumerable.Range(0, 784).Select(p => (byte)((i * 7 + p * 13) % 256)).ToArray());
        byte[] gz = Gzip(ImagesFile(200, 28, 28, big));
        string path = dir.File("d/t10k-images-idx3-ubyte.gz", gz[..(gz.Length / 2)]);

        Assert.Throws<DatasetException>(() => new IdxDataset(path));
    }

    [Fact]
    public void A_header_shorter_than_16_bytes_fails_at_open()
    {
        using var dir = new TempDir();
        string path = dir.File("d/t10k-images-idx3-ubyte", new byte[] { 0, 0, 8, 3, 0, 0 });

        var e = Assert.Throws<DatasetException>(() => new IdxDataset(path));
        Assert.StartsWith("t10k-images-idx3-ubyte: cannot read the IDX header", e.Message);
    }

    [Fact]
    public void Shards_read_in_parallel_give_the_right_images()
    {
        using var dir = new TempDir();
        string path = dir.File("d/t10k-images-idx3-ubyte.gz", Gzip(ImagesFile(3, 2, 3, Pixels)));
        var ds = new IdxDataset(path);
        var shards = ds.PlanShards(1);

        var firstPixels = shards.AsParallel().Select(s => ds.ReadShard(s).Single().Raw!.Pixels[0]).OrderBy(v => v).ToArray();

        Assert.Equal(new byte[] { 0, 10, 20 }, firstPixels);
    }
}
