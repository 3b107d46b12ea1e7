using RobustCrop.Core.Data;
using RobustCrop.IO.Data;

namespace RobustCrop.IO.Tests.Data;

public sealed class CompositeAndFactoryTests
{
    [Fact]
    public void Composite_renumbers_shards_globally_and_reads_them_through_the_children()
    {
        using var dir = new TempDir();
        for (int i = 0; i < 5; i++)
            dir.File($"a/{i}.png", $"a{i}");
        dir.File("wds.tar", WebDatasetTarDatasetTests.FiveSamples());
        var folder = new ImageFolderDataset(Path.Combine(dir.Path, "a"));
        var tar = new WebDatasetTarDataset(Path.Combine(dir.Path, "wds.tar"));
        var composite = new CompositeDataset([folder, tar]);

        var plan = composite.PlanShards(2);

        Assert.Equal("a+wds", composite.Name);
        // Folder: 3 shards (2+2+1), tar: 3 shards (5 samples > 2).
        Assert.Equal([0, 1, 2, 3, 4, 5], plan.Select(s => s.Id.Value));
        Assert.Equal([(0L, 2L), (2, 2), (4, 1), (0, 2), (2, 2), (4, 1)], plan.Select(s => (s.Start, s.Count)));
        Assert.Equal(folder.ReadShard(folder.PlanShards(2)[2]).Select(r => r.Key), composite.ReadShard(plan[2]).Select(r => r.Key));
        Assert.Equal(["wds/000000", "wds/000001"], composite.ReadShard(plan[3]).Select(r => r.Key));
        string[] all = [.. Enumerable.Range(0, 5).Select(i => $"a/{i}.png"), .. Enumerable.Range(0, 5).Select(i => $"wds/{i:D6}")];
        foreach (int size in new[] { 1, 2, 3, 10 })
            ShardAssert.CoversEachItemOnce(composite, size, all);
    }

    [Fact]
    public void Composite_rejects_a_shard_it_did_not_plan()
    {
        using var dir = new TempDir();
        dir.File("a/0.png", "a0");
        var composite = new CompositeDataset([new ImageFolderDataset(Path.Combine(dir.Path, "a"))]);

        Assert.Throws<ArgumentException>(() => composite.ReadShard(new DatasetShard(new ShardId(0), ShardSource.Of("a"), 0, 1)).ToList());
        Assert.Throws<ArgumentException>(() => composite.ReadShard(new DatasetShard(new ShardId(0), ShardSource.OfChild(0, "other", new ShardId(0), ShardSource.Of("a")), 0, 1)).ToList());
        Assert.Throws<ArgumentException>(() => composite.ReadShard(new DatasetShard(new ShardId(0), ShardSource.OfChild(1, "a", new ShardId(0), ShardSource.Of("a")), 0, 1)).ToList());
    }

    [Fact]
    public void Composite_finds_children_whose_names_contain_the_separator()
    {
        using var dir = new TempDir();
        dir.File("x|y/0.png", "0");
        dir.File("x/1.png", "1");
        var composite = new CompositeDataset([new ImageFolderDataset(Path.Combine(dir.Path, "x")), new ImageFolderDataset(Path.Combine(dir.Path, "x|y"))]);

        var plan = composite.PlanShards(10);

        Assert.Equal("1|x|y|0|x|y", plan[1].Source.ToString());
        Assert.Equal(["x/1.png", "x|y/0.png"], plan.SelectMany(composite.ReadShard).Select(r => r.Key));
    }

    [Fact]
    public void Factory_detects_each_kind_of_path()
    {
        using var dir = new TempDir();
        dir.File("photos/x.png", "x");
        dir.File("shards/000.tar", WebDatasetTarDatasetTests.FiveSamples());
        dir.File("one.tar", WebDatasetTarDatasetTests.FiveSamples());
        byte[] images = IdxDatasetTests.ImagesFile(1, 1, 1, [[7]]);
        dir.File("mnist/train-images-idx3-ubyte.gz", IdxDatasetTests.Gzip(images));
        dir.File("mnist/t10k-images-idx3-ubyte", images);
        dir.File("only-train/train-images-idx3-ubyte", images);
        string P(string name) => Path.Combine(dir.Path, name);

        Assert.Equal("photos", Assert.IsType<ImageFolderDataset>(DatasetFactory.Open(P("photos"))).Name);
        Assert.Equal("shards", Assert.IsType<WebDatasetTarDataset>(DatasetFactory.Open(P("shards"))).Name);
        Assert.Equal("one", Assert.IsType<WebDatasetTarDataset>(DatasetFactory.Open(P("one.tar"))).Name);
        var test = Assert.IsType<IdxDataset>(DatasetFactory.Open(P("mnist")));
        Assert.Equal(("mnist", "t10k"), (test.Name, test.Split));
        Assert.Equal("train", Assert.IsType<IdxDataset>(DatasetFactory.Open(P("mnist") + "#train")).Split);
        Assert.Equal("train", Assert.IsType<IdxDataset>(DatasetFactory.Open(P("only-train"))).Split);
        Assert.Equal("t10k", Assert.IsType<IdxDataset>(DatasetFactory.Open(P("mnist/t10k-images-idx3-ubyte"))).Split);

        var composite = Assert.IsType<CompositeDataset>(DatasetFactory.Open($"{P("mnist")}, {P("photos")},{P("one.tar")}"));
        Assert.Equal("mnist+photos+one", composite.Name);
        Assert.Equal(["mnist/t10k/000000", "photos/x.png", "one/000000"], composite.PlanShards(100).Select(s => composite.ReadShard(s).First().Key));
    }

    [Fact]
    public void Two_sources_with_the_same_folder_name_get_distinct_names_and_keys()
    {
        using var dir = new TempDir();
        dir.File("a/photos/x.png", "x");
        dir.File("b/photos/x.png", "y");
        dir.File("c/photos/x.png", "z");

        var composite = Assert.IsType<CompositeDataset>(DatasetFactory.Open(string.Join(',',
            new[] { "a", "b", "c" }.Select(d => Path.Combine(dir.Path, d, "photos")))));
        Assert.Equal("photos+photos-2+photos-3", composite.Name);
        var keys = composite.PlanShards(10).SelectMany(composite.ReadShard).Select(r => r.Key).ToList();
        Assert.Equal(["photos/x.png", "photos-2/x.png", "photos-3/x.png"], keys);
    }

    [Fact]
    public void Factory_reports_missing_and_unsupported_paths_in_one_line()
    {
        using var dir = new TempDir();
        dir.File("photos/x.png", "x");
        dir.File("notes.csv", "a,b");
        string missing = Path.Combine(dir.Path, "nope");

        Assert.Equal($"data not found: {missing}", Assert.Throws<DatasetException>(() => DatasetFactory.Open(missing)).Message);
        Assert.Equal($"data not found: {missing}", Assert.Throws<DatasetException>(() => DatasetFactory.Open(Path.Combine(dir.Path, "photos") + "," + missing)).Message);
        Assert.Contains("unsupported data file", Assert.Throws<DatasetException>(() => DatasetFactory.Open(Path.Combine(dir.Path, "notes.csv"))).Message);
        Assert.Contains("selects an IDX split", Assert.Throws<DatasetException>(() => DatasetFactory.Open(Path.Combine(dir.Path, "photos") + "#train")).Message);
        Assert.Equal("no data given", Assert.Throws<DatasetException>(() => DatasetFactory.Open(" , ")).Message);
    }

    [Fact]
    public void Factory_reports_a_missing_idx_split()
    {
        using var dir = new TempDir();
        dir.File("m/t10k-images-idx3-ubyte", IdxDatasetTests.ImagesFile(1, 1, 1, [[7]]));

        var e = Assert.Throws<DatasetException>(() => DatasetFactory.Open(Path.Combine(dir.Path, "m") + "#train"));
        Assert.Equal($"no split 'train' in {Path.Combine(dir.Path, "m")} (found: t10k)", e.Message);
    }
}
