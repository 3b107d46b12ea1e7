using RobustCrop.IO.Data;

namespace RobustCrop.IO.Tests.Data;

/// <summary>An image file given as data (<c>--data photos/astronaut.png</c>, or several comma-separated) is a one-image
/// source keyed like a folder's unlabelled file.</summary>
public sealed class ImageFileDatasetTests
{
    [Fact]
    public void A_single_image_file_is_a_one_image_dataset_named_after_the_file_and_keyed_name_slash_file()
    {
        using var dir = new TempDir();
        dir.File("photos/astronaut.png", "png bytes");
        dir.File("photos/other.png", "not read");
        string file = Path.Combine(dir.Path, "photos", "astronaut.png");

        var dataset = DatasetFactory.Open(file);

        Assert.Equal("astronaut", dataset.Name);
        var shard = Assert.Single(dataset.PlanShards(100));
        Assert.Equal(1, shard.Count);
        var record = Assert.Single(dataset.ReadShard(shard));
        Assert.Equal("astronaut/astronaut.png", record.Key);
        Assert.Null(record.Label);
        Assert.Equal("png bytes"u8.ToArray(), record.Encoded!.Value.ToArray());
        Assert.Equal(["astronaut.png"], dataset.ListFiles().Select(f => f.Name));
        Assert.Equal(["astronaut"], DatasetFactory.SourceNames(dataset));
        // The same file opened again plans and keys the same: a resumed run finds its shards.
        Assert.Equal(dataset.PlanShards(100), DatasetFactory.Open(file).PlanShards(100));
    }

    [Fact]
    public void Several_files_are_one_source_each_in_the_given_order_and_same_names_are_told_apart()
    {
        using var dir = new TempDir();
        dir.File("a/coffee.JPG", "c");
        dir.File("a/rocket.png", "r");
        dir.File("b/rocket.png", "r2");
        string Of(string relative) => Path.Combine(dir.Path, relative);

        var dataset = DatasetFactory.Open($"{Of("a/rocket.png")},{Of("a/coffee.JPG")},{Of("b/rocket.png")}");

        Assert.Equal("rocket+coffee+rocket-2", dataset.Name);
        Assert.Equal(["rocket", "coffee", "rocket-2"], DatasetFactory.SourceNames(dataset));
        var keys = dataset.PlanShards(10).SelectMany(dataset.ReadShard).Select(r => r.Key);
        Assert.Equal(["rocket/rocket.png", "coffee/coffee.JPG", "rocket-2/rocket.png"], keys);
    }

    [Fact]
    public void A_file_that_is_not_an_image_is_refused_naming_the_image_extensions()
    {
        using var dir = new TempDir();
        dir.File("notes.csv", "a,b");
        var e = Assert.Throws<DatasetException>(() => DatasetFactory.Open(Path.Combine(dir.Path, "notes.csv")));
        Assert.StartsWith("unsupported data file (expected a folder, an image file (bmp, gif, jpeg, jpg, png, tif, tiff, webp)", e.Message);
    }
}
