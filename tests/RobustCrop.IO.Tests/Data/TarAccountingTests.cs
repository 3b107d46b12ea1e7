using System.Formats.Tar;
using System.Text;
using RobustCrop.Core.Data;
using RobustCrop.IO.Data;

namespace RobustCrop.IO.Tests.Data;

public sealed class TarAccountingTests
{
    private const long EightGiB = 8L << 30;

    /// <summary>A stream that can only be read forward, as a blob download is.</summary>
    private sealed class ForwardOnly(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
        public override long Seek(long offset, SeekOrigin loc) => throw new NotSupportedException();
        public override long Position { get => base.Position; set => throw new NotSupportedException(); }
        public override long Length => throw new NotSupportedException();
    }

    /// <summary>One tar read forward only, its samples known from a sidecar: a blob store as a source sees it.</summary>
    private sealed class ForwardOnlySource(string name, byte[] tar, long samples) : ITarSource
    {
        public string Name => name;
        public IReadOnlyList<string> Tars { get; } = ["00000.tar"];
        public bool KeysNameTheTar => true;
        public long? CountSamples(string tar) => samples;
        public Stream Open(string _) => new ForwardOnly(tar);
        public IEnumerable<ListedFile> ListFiles() => [new("00000.tar", tar.Length, "1")];
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
        string path = dir.File("forged.tar", TarFiles.Claiming("c.jpg", EightGiB, ("a.jpg", "jpeg-a"), ("b.jpg", "jpeg-b"), ("c.jpg", "jpeg-c")));
        var (ds, shard, records) = Read(new WebDatasetTarDataset(path));

        Assert.Equal(["forged/a", "forged/b", "forged/c"], records.Select(r => r.Key));
        Assert.StartsWith("jpg member claims 8589934592 bytes, more than the tar holds", records[2].ReadError);
        AssertAccounted(ds, shard, records, images: 2, errors: 1);
    }

    [Fact]
    public void A_middle_member_claiming_8_GiB_costs_its_own_sample_and_the_samples_after_it_are_read()
    {
        using var dir = new TempDir();
        string path = dir.File("forged.tar", TarFiles.Claiming("b.jpg", EightGiB,
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
        byte[] tar = TarFiles.Claiming("c.jpg", EightGiB, ("a.jpg", "jpeg-a"), ("b.jpg", "jpeg-b"), ("c.jpg", "jpeg-c"));
        var ds = new WebDatasetTarDataset(new ForwardOnlySource("blobs", tar, 3));
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

    [Fact]
    public void A_member_claiming_60_MB_under_the_size_limit_costs_its_own_sample_only()
    {
        // The case as reported: b's header claims 60 MB (under the 64 MB member limit) in a tar of a few KB; reading its
        // data swallowed c, giving 1 image + 1 error for 3 planned inputs.
        using var dir = new TempDir();
        string path = dir.File("forged.tar", TarFiles.Claiming("b.jpg", 60L << 20, ("a.jpg", "jpeg-a"), ("b.jpg", "jpeg-b"), ("c.jpg", "jpeg-c")));
        var (ds, shard, records) = Read(new WebDatasetTarDataset(path));

        Assert.Equal(["forged/a", "forged/b", "forged/c"], records.Select(r => r.Key));
        Assert.Equal("jpg member claims 62914560 bytes, more than the tar holds (a corrupt header or a cut tar)", records[1].ReadError);
        Assert.Equal("jpeg-c", Encoding.UTF8.GetString(records[2].Encoded!.Value.Span));
        AssertAccounted(ds, shard, records, images: 2, errors: 1);
    }

    [Fact]
    public void A_member_whose_size_runs_into_the_next_member_is_its_own_error_and_the_next_member_is_read()
    {
        // b claims 1,000 bytes of a tar that holds more: its data runs over c's header into c's data, which is no header.
        using var dir = new TempDir();
        string path = dir.File("forged.tar", TarFiles.Claiming("b.jpg", 1000,
            ("a.jpg", "jpeg-a"), ("b.jpg", "jpeg-b"), ("c.jpg", "jpeg-c"), ("d.jpg", "jpeg-d")));
        var (ds, shard, records) = Read(new WebDatasetTarDataset(path));

        Assert.Equal(["forged/a", "forged/b", "forged/c", "forged/d"], records.Select(r => r.Key));
        Assert.Equal("jpg member claims 1000 bytes, which run into the member after it (a corrupt header)", records[1].ReadError);
        Assert.Equal(["jpeg-c", "jpeg-d"], records[2..].Select(r => Encoding.UTF8.GetString(r.Encoded!.Value.Span)));
        AssertAccounted(ds, shard, records, images: 3, errors: 1);
    }

    [Fact]
    public void A_header_that_cannot_be_read_is_one_input_and_the_members_after_it_are_read()
    {
        // b's size field is not a number: its header cannot be read, so b is lost, but as one error row of its own.
        byte[] tar = TarFiles.Of(("a.jpg", "jpeg-a"u8.ToArray()), ("b.jpg", "jpeg-b"u8.ToArray()), ("c.jpg", "jpeg-c"u8.ToArray()));
        tar = TarFiles.WithHeaderField(tar, "b.jpg", 124, "9999zzzz999\0"u8);
        using var dir = new TempDir();
        string path = dir.File("forged.tar", tar);
        var (ds, shard, records) = Read(new WebDatasetTarDataset(path));

        Assert.Equal(["forged/a", "forged/header-1024", "forged/c"], records.Select(r => r.Key));
        Assert.StartsWith("the member header at byte 1024 cannot be read (", records[1].ReadError);
        AssertAccounted(ds, shard, records, images: 2, errors: 1);
    }
}
