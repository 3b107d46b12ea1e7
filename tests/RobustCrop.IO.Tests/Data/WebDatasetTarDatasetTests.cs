using System.Formats.Tar;
using System.Text;
using RobustCrop.Core.Data;
using RobustCrop.IO.Data;

namespace RobustCrop.IO.Tests.Data;

public sealed class WebDatasetTarDatasetTests
{
    internal static byte[] Tar(params (string Name, string Content)[] members)
    {
        using var buffer = new MemoryStream();
        using (var writer = new TarWriter(buffer, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (name, content) in members)
            {
                var entry = new PaxTarEntry(TarEntryType.RegularFile, name)
                {
                    DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)),
                };
                writer.WriteEntry(entry);
            }
        }
        return buffer.ToArray();
    }

    // Five samples in img2dataset style; 000003 has no image.
    internal static byte[] FiveSamples() => Tar(
        ("000000.jpg", "jpeg-0"), ("000000.cls", "3\n"),
        ("000001.jpg", "jpeg-1"), ("000001.json", """{"label": "cat", "url": "http://x"}"""),
        ("000002.png", "png-2"), ("000002.json", """{"cls": 7}"""),
        ("000003.json", """{"label": "ghost"}"""), ("000003.txt", "a caption"),
        ("000004.cls", "dog"), ("000004.jpg", "jpeg-4"), ("000004.txt", "caption"));

    [Fact]
    public void Groups_members_by_key_and_reads_labels_from_cls_or_json()
    {
        using var dir = new TempDir();
        string path = dir.File("shard.tar", FiveSamples());
        var ds = new WebDatasetTarDataset(path);

        var records = ds.ReadShard(Assert.Single(ds.PlanShards(100))).ToList();

        Assert.Equal("shard", ds.Name);
        Assert.Equal(["shard/000000", "shard/000001", "shard/000002", "shard/000003", "shard/000004"], records.Select(r => r.Key));
        Assert.Equal(["3", "cat", "7", "ghost", "dog"], records.Select(r => r.Label));
        Assert.Equal(["jpeg-0", "jpeg-1", "png-2", null, "jpeg-4"],
            records.Select(r => r.Encoded is { } e ? Encoding.UTF8.GetString(e.Span) : null));
        Assert.Equal("no image member (found: json, txt)", records[3].ReadError);
        Assert.Equal([null, null, null, "no image member (found: json, txt)", null], records.Select(r => r.ReadError));
    }

    [Fact]
    public void The_img2dataset_json_of_each_sample_is_carried_with_its_record()
    {
        using var dir = new TempDir();
        string path = dir.File("shard.tar", Tar(
            ("000000.jpg", "jpeg-0"),
            ("000000.json", """{"url": "http://example.org/a.jpg", "caption": "a cat", "key": "000000", "width": 640, "height": 480, "status": "success"}"""),
            ("000001.jpg", "jpeg-1"), ("000001.txt", "only a caption"),
            ("000002.jpg", "jpeg-2"), ("000002.json", "{broken")));
        var ds = new WebDatasetTarDataset(path);

        var records = ds.ReadShard(Assert.Single(ds.PlanShards(10))).ToList();
        Assert.Equal(new SampleMetadata("http://example.org/a.jpg", "a cat", "000000", 640, 480, "success"), records[0].Metadata);
        Assert.Equal(new SampleMetadata(null, "only a caption", null, null, null, null), records[1].Metadata);
        Assert.Null(records[2].Metadata);
        Assert.Equal("jpeg-2", Encoding.UTF8.GetString(records[2].Encoded!.Value.Span));
    }

    [Fact]
    public void One_tar_is_one_whole_shard_unless_it_holds_more_samples_than_the_shard_size()
    {
        using var dir = new TempDir();
        string path = dir.File("shard.tar", FiveSamples());
        var ds = new WebDatasetTarDataset(path);

        Assert.Equal([new DatasetShard(new ShardId(0), ShardSource.Of("shard/shard.tar"), 0, -1)], ds.PlanShards(5));
        Assert.Equal(
            [new DatasetShard(new ShardId(0), ShardSource.Of("shard/shard.tar"), 0, 2), new DatasetShard(new ShardId(1), ShardSource.Of("shard/shard.tar"), 2, 2), new DatasetShard(new ShardId(2), ShardSource.Of("shard/shard.tar"), 4, 1)],
            ds.PlanShards(2));
        Assert.Equal(["shard/000002", "shard/000003"], ds.ReadShard(ds.PlanShards(2)[1]).Select(r => r.Key));
        string[] all = ["shard/000000", "shard/000001", "shard/000002", "shard/000003", "shard/000004"];
        foreach (int size in new[] { 1, 2, 3, 4, 5, 6 })
            ShardAssert.CoversEachItemOnce(ds, size, all);
    }

    [Fact]
    public void A_brace_range_names_the_tars_in_order_keyed_like_a_folder()
    {
        using var dir = new TempDir();
        dir.File("wds/00000.tar", Tar(("000000.jpg", "a0")));
        dir.File("wds/00001.tar", Tar(("000000.jpg", "b0")));
        dir.File("wds/00002.tar", Tar(("000000.jpg", "c0")));

        var ds = Assert.IsType<WebDatasetTarDataset>(DatasetFactory.Open(Path.Combine(dir.Path, "wds", "{00001..00002}.tar")));
        Assert.Equal("wds", ds.Name);
        Assert.Equal(["00001.tar", "00002.tar"], ds.Tars);
        Assert.Equal(["wds/00001/000000", "wds/00002/000000"], ds.PlanShards(10).SelectMany(ds.ReadShard).Select(r => r.Key));
        // The same folder read whole keys its samples identically.
        var folder = new WebDatasetTarDataset(Path.Combine(dir.Path, "wds"));
        Assert.Equal(folder.PlanShards(10).Skip(1).SelectMany(folder.ReadShard).Select(r => r.Key), ds.PlanShards(10).SelectMany(ds.ReadShard).Select(r => r.Key));
        // A brace range beside another source splits at the commas outside the braces.
        var composite = Assert.IsType<CompositeDataset>(DatasetFactory.Open(Path.Combine(dir.Path, "wds", "{00000,00002}.tar") + "," + Path.Combine(dir.Path, "wds", "00001.tar")));
        Assert.Equal(2, composite.Children.Count);

        var missing = Assert.Throws<DatasetException>(() => DatasetFactory.Open(Path.Combine(dir.Path, "wds", "{00002..00003}.tar")));
        Assert.Equal($"data not found: {Path.Combine(dir.Path, "wds", "00003.tar")}", missing.Message);
    }

    [Fact]
    public void An_img2dataset_stats_sidecar_plans_the_tar_without_reading_it()
    {
        using var dir = new TempDir();
        // The sidecar says 4 samples; the tar holds 5. Planning trusts the sidecar (it never opens the tar), so shards of 2
        // cover 4 samples: proof that no header was read.
        dir.File("wds/00000.tar", FiveSamples());
        dir.File("wds/00000_stats.json", """{"count": 6, "successes": 4, "failed_to_download": 2, "status_dict": {"success": 4}}""");
        var ds = new WebDatasetTarDataset(Path.Combine(dir.Path, "wds"));

        Assert.Equal([(0L, 2L), (2L, 2L)], ds.PlanShards(2).Select(s => (s.Start, s.Count)));
        Assert.Equal([(0L, -1L)], ds.PlanShards(4).Select(s => (s.Start, s.Count)));
        Assert.Null(Img2DatasetSidecar.StatsSuccesses("""{"count": 3}"""u8));
        Assert.Null(Img2DatasetSidecar.StatsSuccesses("not json"u8));
    }

    [Fact]
    public void Without_a_stats_file_the_img2dataset_parquet_gives_the_sample_count_from_its_status_column()
    {
        using var dir = new TempDir();
        // 4 of 6 URLs succeeded; the tar holds 5 samples: a plan of 4 proves the count came from the Parquet, not the tar.
        dir.File("wds/00000.tar", FiveSamples());
        dir.File("wds/00000.parquet", Img2DatasetFiles.ShardParquet("success", "failed_to_download", "success", "success", "failed_to_resize", "success"));
        var ds = new WebDatasetTarDataset(Path.Combine(dir.Path, "wds"));
        Assert.Equal([(0L, 2L), (2L, 2L)], ds.PlanShards(2).Select(s => (s.Start, s.Count)));

        // A Parquet without a status column says nothing: the tar's own headers are counted (5 samples).
        dir.File("wds/00000.parquet", Img2DatasetFiles.ShardParquet("state", ["success", "success"]));
        Assert.Equal([2L, 2L, 1L], new WebDatasetTarDataset(Path.Combine(dir.Path, "wds")).PlanShards(2).Select(s => s.Count));
    }

    [Fact]
    public void A_folder_of_tars_is_read_in_name_order_with_tar_names_in_keys()
    {
        using var dir = new TempDir();
        dir.File("wds/00001.tar", Tar(("b/000010.jpg", "b10"), ("b/000010.cls", "1")));
        dir.File("wds/00000.tar", Tar(("000000.webp", "a0"), ("000001.JPEG", "a1")));
        dir.File("wds/notes.md", "not a shard");
        var ds = new WebDatasetTarDataset(Path.Combine(dir.Path, "wds"));

        var plan = ds.PlanShards(10);

        Assert.Equal(["wds/00000.tar", "wds/00001.tar"], plan.Select(s => s.Source.ToString()));
        var records = plan.SelectMany(ds.ReadShard).ToList();
        Assert.Equal(["wds/00000/000000", "wds/00000/000001", "wds/00001/b/000010"], records.Select(r => r.Key));
        Assert.Equal([null, null, "1"], records.Select(r => r.Label));
        Assert.All(records, r => Assert.NotNull(r.Encoded));
    }

    [Fact]
    public void A_key_whose_members_are_not_adjacent_is_reported()
    {
        using var dir = new TempDir();
        string path = dir.File("split.tar", Tar(("a.jpg", "a"), ("b.jpg", "b"), ("a.cls", "5")));
        var ds = new WebDatasetTarDataset(path);

        var records = ds.ReadShard(ds.PlanShards(10)[0]).ToList();

        Assert.Equal(["split/a", "split/b", "split/a"], records.Select(r => r.Key));
        Assert.Null(records[0].ReadError);
        Assert.StartsWith("duplicate sample key", records[2].ReadError);
    }

    [Fact]
    public void An_image_member_over_the_size_limit_is_an_error_record_with_its_label()
    {
        using var dir = new TempDir();
        string path = dir.File("big.tar", Tar(("a.jpg", "0123456789"), ("a.cls", "4"), ("b.jpg", "012")));
        var ds = new WebDatasetTarDataset(path, maxMemberBytes: 5);

        var records = ds.ReadShard(ds.PlanShards(10)[0]).ToList();

        Assert.Equal(("big/a", "4", "jpg member is 10 bytes, over the 5-byte limit"), (records[0].Key, records[0].Label, records[0].ReadError));
        Assert.Equal("012", Encoding.UTF8.GetString(records[1].Encoded!.Value.Span));
    }

    [Fact]
    public void A_garbage_tar_yields_one_error_record_for_its_shard()
    {
        using var dir = new TempDir();
        string path = dir.File("broken.tar", Enumerable.Range(0, 1024).Select(i => (byte)(i * 37 % 251 + 1)).ToArray());
        var ds = new WebDatasetTarDataset(path);

        var shard = Assert.Single(ds.PlanShards(10));
        var record = Assert.Single(ds.ReadShard(shard));

        Assert.Equal(-1, shard.Count);
        Assert.Equal("broken", record.Key);
        Assert.StartsWith("corrupt tar broken.tar: ", record.ReadError);
        Assert.Null(record.Encoded);
    }

    [Fact]
    public void A_tar_cut_mid_member_keeps_the_samples_before_the_cut_and_reports_the_shard()
    {
        using var dir = new TempDir();
        byte[] tar = Tar(("0.jpg", "zero"), ("1.jpg", new string('x', 5000)));
        // Cut inside the data of the second member (header 0 + data 0 + pax headers + header 1 come first).
        string path = dir.File("cut.tar", tar[..(tar.Length - 6000)]);
        var ds = new WebDatasetTarDataset(path);

        var records = ds.ReadShard(Assert.Single(ds.PlanShards(10))).ToList();

        Assert.Equal("cut/0", records[0].Key);
        Assert.Equal("zero", Encoding.UTF8.GetString(records[0].Encoded!.Value.Span));
        // The cut is found from the header, before any data is read: it is the cut sample's own error row.
        Assert.Equal(["cut/0", "cut/1"], records.Select(r => r.Key));
        Assert.Equal("jpg member claims 5000 bytes, more than the tar holds (a corrupt header or a cut tar)", records[1].ReadError);
        Assert.Equal(2, ds.PlannedInputs(ds.PlanShards(10)[0]));
    }
}
