using RobustCrop.IO.Data;

namespace RobustCrop.IO.Tests.Data;

/// <summary>The data shipped in samples/ opens as the demo run expects.</summary>
public sealed class SampleDataTests
{
    private static string FashionMnist => Path.Combine(RepoPaths.Samples, "fashion-mnist");

    [Fact]
    public void Fashion_mnist_folder_opens_the_t10k_subset_with_its_true_labels()
    {
        var ds = Assert.IsType<IdxDataset>(DatasetFactory.Open(FashionMnist));

        Assert.Equal(("fashion-mnist", "t10k", 1000, 28, 28), (ds.Name, ds.Split, ds.Count, ds.Width, ds.Height));
        var records = ds.PlanShards(256).SelectMany(ds.ReadShard).ToList();
        Assert.Equal(1000, records.Count);
        Assert.All(records, r => Assert.Null(r.ReadError));
        // Fashion-MNIST t10k starts with labels 9, 2, 1, 1, 6.
        Assert.Equal(["Ankle boot", "Pullover", "Trouser", "Trouser", "Shirt"], records.Take(5).Select(r => r.Label));
        Assert.Equal("fashion-mnist/t10k/000999", records[^1].Key);
        // The first t10k image (an ankle boot) has grey values summing to 33456, copied into R, G and B.
        Assert.Equal(3 * 33456, records[0].Raw!.Pixels.Sum(b => (long)b));
    }

    [Fact]
    public void Fashion_mnist_train_suffix_opens_100_images_of_each_class()
    {
        var ds = Assert.IsType<IdxDataset>(DatasetFactory.Open(FashionMnist + "#train"));

        Assert.Equal(("train", 1000), (ds.Split, ds.Count));
        var labels = ds.PlanShards(1000).SelectMany(ds.ReadShard).Select(r => r.Label!).ToList();
        Assert.Equal(10, ds.ClassNames.Count);
        Assert.All(ds.ClassNames, name => Assert.Equal(100, labels.Count(l => l == name)));
        // Original order of appearance: Fashion-MNIST train starts with labels 9, 0, 0, 3.
        Assert.Equal(["Ankle boot", "T-shirt/top", "T-shirt/top", "Dress"], labels.Take(4));
    }

    [Fact]
    public void Photos_open_as_12_unlabelled_images_in_name_order()
    {
        var ds = Assert.IsType<ImageFolderDataset>(DatasetFactory.Open(Path.Combine(RepoPaths.Samples, "photos")));

        var records = ds.PlanShards(5).SelectMany(ds.ReadShard).ToList();
        Assert.Equal(12, records.Count);
        Assert.Equal("photos/astronaut.png", records[0].Key);
        Assert.Equal("photos/rocket.jpg", records[^1].Key);
        Assert.DoesNotContain(records, r => r.Key.EndsWith(".md", StringComparison.Ordinal));
        Assert.All(records, r => Assert.Null(r.Label));
        Assert.All(records, r => Assert.Null(r.ReadError));
        // PNG files start with the 8-byte PNG signature: the bytes are passed through untouched.
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, records[0].Encoded!.Value[..8].ToArray());
    }

    [Fact]
    public void Samples_stay_small()
    {
        long bytes = new DirectoryInfo(RepoPaths.Samples).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
        Assert.InRange(bytes, 1, 4L * 1024 * 1024);
    }
}
