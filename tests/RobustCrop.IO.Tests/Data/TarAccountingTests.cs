using System.Formats.Tar;
using System.Text;
using RobustCrop.Core.Data;
using RobustCrop.IO.Data;

namespace RobustCrop.IO.Tests.Data;

public sealed class TarAccountingTests
{
    /// <summary>A ustar tar whose member <paramref name="forged"/> claims <paramref name="claimed"/> bytes in its header
    /// (GNU base-256 size, checksum fixed), as a crafted or damaged tar does; its real data stays short.</summary>
    internal static byte[] TarClaiming(string forged, long claimed, params (string Name, string Content)[] members)
    {
        using var buffer = new MemoryStream();
        using (var writer = new TarWriter(buffer, TarEntryFormat.Gnu, leaveOpen: true))
        {
            foreach (var (name, content) in members)
                writer.WriteEntry(new GnuTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)) });
        }
        byte[] tar = buffer.ToArray();
        for (int h = 0; h + 512 <= tar.Length; h += 512)
        {
            if (Encoding.ASCII.GetString(tar, h, forged.Length) != forged || tar[h + forged.Length] != 0) continue;
            tar[h + 124] = 0x80;
            for (int i = 0; i < 11; i++) tar[h + 135 - i] = (byte)(claimed >> (8 * i));
            for (int i = 148; i < 156; i++) tar[h + i] = (byte)' ';
            int sum = 0;
            for (int i = 0; i < 512; i++) sum += tar[h + i];
            Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(tar, h + 148);
            return tar;
        }
        throw new ArgumentException($"no member {forged}");
    }

    private const long EightGiB = 8L << 30;

    /// <summary>A stream that can only be read forward, as a blob download is.</summary>
    private sealed class ForwardOnly(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
        public override long Seek(long offset, SeekOrigin loc) => throw new NotSupportedException();
        public override long Position { get => base.Position; set => throw new NotSupportedException(); }
        public override long Length => throw new NotSupportedException();
    }

    private static (IImageDataset Dataset, DatasetShard Shard, List<ImageRecord> Records) Read(WebDatasetTarDataset ds)
    {
        var shard = Assert.Single(ds.PlanShards(100));
        return (ds, shard, ds.ReadShard(shard).ToList());
    }

    private static void AssertAccounted(IImageDataset ds, DatasetShard shard, List<ImageRecord> records, int images, int errors)
    {
        // Every input is an image or an error row, once: images + errors = inputs, and planning said so up front.
        Assert.Equal(images, records.Count(r => r.ReadError is null));
        Assert.Equal(errors, records.Count(r => r.ReadError is not null));
        Assert.Equal(records.Count, records.Select(r => r.Key).Distinct().Count());
        Assert.Equal(images + errors, ds.PlannedInputs(shard));
    }

    [Fact]
    public void A_last_member_claiming_8_GiB_is_one_error_row_not_two()
    {
        // The case as reported: 3 samples gave 2 images + 2 errors (the sample's own and one more for the tar).
        using var dir = new TempDir();
        string path = dir.File("forged.tar", TarClaiming("c.jpg", EightGiB, ("a.jpg", "jpeg-a"), ("b.jpg", "jpeg-b"), ("c.jpg", "jpeg-c")));
        var (ds, shard, records) = Read(new WebDatasetTarDataset(path));

        Assert.Equal(["forged/a", "forged/b", "forged/c"], records.Select(r => r.Key));
        Assert.StartsWith("jpg member claims 8589934592 bytes, more than the tar holds", records[2].ReadError);
        AssertAccounted(ds, shard, records, images: 2, errors: 1);
    }

    [Fact]
    public void A_middle_member_claiming_8_GiB_costs_its_own_sample_and_the_samples_after_it_are_read()
    {
        using var dir = new TempDir();
        string path = dir.File("forged.tar", TarClaiming("b.jpg", EightGiB,
            ("a.jpg", "jpeg-a"), ("b.jpg", "jpeg-b"), ("b.cls", "7"), ("c.jpg", "jpeg-c"), ("c.cls", "3")));
        var (ds, shard, records) = Read(new WebDatasetTarDataset(path));

        Assert.Equal(["forged/a", "forged/b", "forged/c"], records.Select(r => r.Key));
        Assert.StartsWith("jpg member claims 8589934592 bytes", records[1].ReadError);
        Assert.Equal("jpeg-c", Encoding.UTF8.GetString(records[2].Encoded!.Value.Span));
        Assert.Equal("3", records[2].Label);
        AssertAccounted(ds, shard, records, images: 2, errors: 1);
    }

    [Fact]
    public void A_streamed_tar_that_ends_inside_an_oversized_member_gives_that_sample_one_error_row()
    {
        // A blob is read forward only: the members after a forged size cannot be found again, but the break is the
        // sample's one error, with no second row for the tar.
        byte[] tar = TarClaiming("c.jpg", EightGiB, ("a.jpg", "jpeg-a"), ("b.jpg", "jpeg-b"), ("c.jpg", "jpeg-c"));
        var ds = new WebDatasetTarDataset("blobs", ["00000.tar"], _ => new ForwardOnly(tar), _ => 3);
        var (_, shard, records) = Read(ds);

        Assert.Equal(["blobs/00000/a", "blobs/00000/b", "blobs/00000/c"], records.Select(r => r.Key));
        Assert.StartsWith("the tar ends inside a member of 8589934592 bytes", records[2].ReadError);
        AssertAccounted(ds, shard, records, images: 2, errors: 1);
    }

    [Fact]
    public void A_tar_that_fits_one_shard_still_plans_its_sample_count_for_progress()
    {
        using var dir = new TempDir();
        string path = dir.File("small.tar", WebDatasetTarDatasetTests.FiveSamples());
        var (ds, shard, records) = Read(new WebDatasetTarDataset(path));

        Assert.Equal(-1, shard.Count);
        // 000003 has no image member: 4 images + 1 error = the 5 planned inputs.
        AssertAccounted(ds, shard, records, images: 4, errors: 1);
        var composite = new CompositeDataset([new WebDatasetTarDataset(path, "a"), new WebDatasetTarDataset(path, "b")]);
        Assert.Equal([5L, 5L], composite.PlanShards(100).Select(s => composite.PlannedInputs(s)!.Value));
    }
}
