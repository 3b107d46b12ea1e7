using RobustCrop.Core.Data;
using RobustCrop.IO.Data;

namespace RobustCrop.IO.Tests.Data;

public sealed class ImageFolderDatasetTests
{
    private static TempDir MakeFolder()
    {
        var dir = new TempDir();
        dir.File("imgs/zebra/2.jpg", "z2");
        dir.File("imgs/zebra/10.JPG", "z10");
        dir.File("imgs/Apple/a.png", "a");
        dir.File("imgs/apple/nested/deep.webp", "deep");
        dir.File("imgs/loose.bmp", "loose");
        dir.File("imgs/notes.unknown", "not an image");
        dir.File("imgs/README.md", "# readme");
        dir.File("imgs/zebra/caption.TXT", "text");
        dir.File("imgs/LICENSE", "licence");
        dir.File("imgs/.hidden.jpg", "h");
        dir.File("imgs/.cache/x.jpg", "h");
        return dir;
    }

    private static string[] ExpectedKeys =>
    [
        "imgs/Apple/a.png",
        "imgs/apple/nested/deep.webp",
        "imgs/loose.bmp",
        "imgs/notes.unknown",
        "imgs/zebra/10.JPG",
        "imgs/zebra/2.jpg",
    ];

    [Fact]
    public void Lists_regular_files_sorted_ordinally_with_first_level_labels()
    {
        using var dir = MakeFolder();
        var ds = new ImageFolderDataset(Path.Combine(dir.Path, "imgs"));

        var records = ds.PlanShards(100).SelectMany(ds.ReadShard).ToList();

        Assert.Equal("imgs", ds.Name);
        Assert.Equal(ExpectedKeys, records.Select(r => r.Key));
        Assert.Equal(["Apple", "apple", null, null, "zebra", "zebra"], records.Select(r => r.Label));
        Assert.Equal("deep", System.Text.Encoding.UTF8.GetString(records[1].Encoded!.Value.Span));
        Assert.All(records, r => Assert.Null(r.ReadError));
    }

    [Fact]
    public void Shards_are_consecutive_slices_with_stable_ids()
    {
        using var dir = MakeFolder();
        var ds = new ImageFolderDataset(Path.Combine(dir.Path, "imgs"));

        var plan = ds.PlanShards(4);

        Assert.Equal([new DatasetShard(new ShardId(0), ShardSource.Of("imgs"), 0, 4), new DatasetShard(new ShardId(1), ShardSource.Of("imgs"), 4, 2)], plan);
        Assert.Equal(["imgs/zebra/10.JPG", "imgs/zebra/2.jpg"], ds.ReadShard(plan[1]).Select(r => r.Key));
        // A second instance over the same folder plans the same shards.
        Assert.Equal(plan, new ImageFolderDataset(Path.Combine(dir.Path, "imgs")).PlanShards(4));
        foreach (int size in new[] { 1, 2, 5, 6, 7 })
            ShardAssert.CoversEachItemOnce(ds, size, ExpectedKeys);
    }

    [Fact]
    public void A_file_over_the_size_limit_is_an_error_record()
    {
        using var dir = new TempDir();
        dir.File("f/big/huge.jpg", new byte[11]);
        dir.File("f/small.jpg", new byte[10]);
        var ds = new ImageFolderDataset(Path.Combine(dir.Path, "f"), name: "limited", maxFileBytes: 10);

        var records = ds.ReadShard(ds.PlanShards(10)[0]).ToList();

        Assert.Equal("limited/big/huge.jpg", records[0].Key);
        Assert.Equal("big", records[0].Label);
        Assert.Equal("file is 11 bytes, over the 10-byte limit", records[0].ReadError);
        Assert.Null(records[0].Encoded);
        Assert.Equal(10, records[1].Encoded!.Value.Length);
    }

    [Fact]
    public void A_file_deleted_after_listing_is_an_error_record()
    {
        using var dir = new TempDir();
        string gone = dir.File("f/gone.png", "x");
        dir.File("f/kept.png", "y");
        var ds = new ImageFolderDataset(Path.Combine(dir.Path, "f"));
        File.Delete(gone);

        var records = ds.ReadShard(ds.PlanShards(10)[0]).ToList();

        Assert.Equal(["f/gone.png", "f/kept.png"], records.Select(r => r.Key));
        Assert.StartsWith("cannot read file: ", records[0].ReadError);
        Assert.Null(records[1].ReadError);
    }

    [Fact]
    public void An_empty_folder_plans_no_shards()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(Path.Combine(dir.Path, "empty"));

        Assert.Empty(new ImageFolderDataset(Path.Combine(dir.Path, "empty")).PlanShards(8));
    }
}
