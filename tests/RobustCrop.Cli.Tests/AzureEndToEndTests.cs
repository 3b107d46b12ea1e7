using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using RobustCrop.Core.Results;
using RobustCrop.IO.Results;
using RobustCrop.IO.Storage;

namespace RobustCrop.Cli.Tests;

/// <summary>One of these tests takes the emulator down and one sets the connection-string variable: they run alone, one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AzuriteCliCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "azurite-cli";
}

/// <summary><c>evaluate</c> and <c>aggregate</c> end to end against Azure Blob Storage (the real Azurite emulator).</summary>
[Collection(AzuriteCliCollection.Name)]
[Trait("Category", "Azurite")]
[Trait("Category", "Slow")]
public sealed class AzureEndToEndTests(AzuriteFixture azurite, Xunit.Abstractions.ITestOutputHelper output)
{
    private readonly string _container = "e2e-" + Guid.NewGuid().ToString("N")[..16];

    private BlobContainerClient Raw => new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(_container);

    private string[] Quick(string data, string @out, string runId, params string[] more)
        => ["evaluate", "--data", data, "--out", @out, "--run-id", runId, "--model", "resnet18", "--window", "1", "--threads", "2",
            "--connection-string", azurite.ConnectionString, .. more];

    private static string CopyPhotos(TempDir tmp)
    {
        string data = tmp.Sub("photos");
        foreach (var name in new[] { "camera.png", "coins.png", "chelsea.png" })
            File.Copy(Path.Combine(CliHarness.PhotosDir, name), Path.Combine(data, name));
        return data;
    }

    /// <summary>Blob names under &lt;prefix&gt;/, relative to it, sorted.</summary>
    private async Task<List<string>> BlobsAsync(string prefix)
    {
        var names = new List<string>();
        await foreach (var b in Raw.GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = prefix + "/" }))
            names.Add(b.Name[(prefix.Length + 1)..]);
        names.Sort(StringComparer.Ordinal);
        return names;
    }

    private async Task<List<ImageRow>> BlobImageRowsAsync(string runPrefix)
    {
        var rows = new List<ImageRow>();
        foreach (var name in (await BlobsAsync(runPrefix + "/images")).Where(n => n.EndsWith(".parquet", StringComparison.Ordinal)))
        {
            var content = (await Raw.GetBlobClient($"{runPrefix}/images/{name}").DownloadContentAsync()).Value.Content;
            rows.AddRange(await ResultParquet.ReadImageRowsAsync(content.ToStream()));
        }
        return rows;
    }

    private async Task<JsonObject> BlobSummaryAsync(string runPrefix)
        => JsonNode.Parse((await Raw.GetBlobClient(runPrefix + "/summary.json").DownloadContentAsync()).Value.Content.ToString())!.AsObject();

    private static List<string> LocalFiles(string runDir)
        => Directory.GetFiles(runDir, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(runDir, f).Replace(Path.DirectorySeparatorChar, '/')).Order(StringComparer.Ordinal).ToList();

    /// <summary>summary.json without its creation time, for equality.</summary>
    private static string Canonical(JsonObject summary)
    {
        var copy = summary.DeepClone().AsObject();
        copy.Remove("created_utc");
        return copy.ToJsonString();
    }

    private static void AssertOneLineFailure(CliRun run, params string[] forbidden)
    {
        Assert.NotEqual(0, run.ExitCode);
        var line = Assert.Single(run.ErrLines);
        Assert.StartsWith("robustcrop: ", line);
        foreach (var f in forbidden) Assert.DoesNotContain(f, run.Err + run.Out);
    }

    /// <summary>Two img2dataset-style WebDataset shards of real photos (image, .json sidecar), written to a local folder
    /// and the same bytes uploaded under az://container/shards/.</summary>
    private async Task<string> WebDatasetShardsAsync(TempDir tmp)
    {
        string local = tmp.Sub("shards");
        string[][] shards = [["camera.png", "coins.png"], ["chelsea.png"]];
        for (int s = 0; s < shards.Length; s++)
        {
            using var buffer = new MemoryStream();
            using (var tar = new System.Formats.Tar.TarWriter(buffer, System.Formats.Tar.TarEntryFormat.Pax, leaveOpen: true))
                for (int i = 0; i < shards[s].Length; i++)
                {
                    string key = $"{s:D5}{i:D4}";
                    void Add(string name, byte[] data) => tar.WriteEntry(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) });
                    Add(key + ".png", File.ReadAllBytes(Path.Combine(CliHarness.PhotosDir, shards[s][i])));
                    Add(key + ".json", Encoding.UTF8.GetBytes($$"""{"url": "http://example.org/{{shards[s][i]}}", "caption": "photo {{shards[s][i]}}", "key": "{{key}}", "width": 512, "height": 512, "status": "success"}"""));
                }
            byte[] bytes = buffer.ToArray();
            await File.WriteAllBytesAsync(Path.Combine(local, $"{s:D5}.tar"), bytes);
            await Raw.GetBlobClient($"shards/{s:D5}.tar").UploadAsync(new BinaryData(bytes), overwrite: true);
        }
        return local;
    }

    [Fact]
    public async Task WebDataset_shards_read_from_az_into_az_give_the_rows_of_the_same_shards_read_from_a_local_folder()
    {
        using var tmp = new TempDir();
        await Raw.CreateIfNotExistsAsync();
        string shards = await WebDatasetShardsAsync(tmp);

        var az = await CliHarness.RunAsync(Quick($"az://{_container}/shards/", $"az://{_container}/runs", "wds", "--captions"));
        Assert.True(az.ExitCode == 0, az.Err);
        Assert.DoesNotContain(AzuriteFixture.AccountKey, az.Out + az.Err);
        var loc = await CliHarness.RunAsync(Quick(shards, tmp.Sub("out"), "wds", "--captions"));
        Assert.True(loc.ExitCode == 0, loc.Err);

        // One tar is one shard; every row, metadata included, equal to the local run's.
        Assert.Equal(["_manifests/shard-00000.json", "_manifests/shard-00001.json"], (await BlobsAsync("runs/wds")).Where(n => n.StartsWith("_manifests/", StringComparison.Ordinal)));
        static List<ImageRow> Sorted(IEnumerable<ImageRow> rows) => [.. rows.OrderBy(r => r.ImageKey, StringComparer.Ordinal).ThenBy(r => r.Model, StringComparer.Ordinal)];
        var fromBlob = Sorted(await BlobImageRowsAsync("runs/wds"));
        var fromDisk = Sorted(await CliHarness.ReadImageRowsAsync(Path.Combine(tmp.Path, "out", "wds")));
        Assert.Equal(3, fromBlob.Count);
        Assert.Equal(fromDisk, fromBlob);
        Assert.Equal(["http://example.org/camera.png", "http://example.org/coins.png", "http://example.org/chelsea.png"], fromBlob.Select(r => r.Url));
        Assert.Equal("photo coins.png", fromBlob[1].Caption);
        Assert.Equal(Canonical(CliHarness.ReadSummary(Path.Combine(tmp.Path, "out", "wds"))), Canonical(await BlobSummaryAsync("runs/wds")));
    }

    [Fact]
    public async Task Evaluate_to_az_writes_the_layout_of_a_local_run_and_aggregate_rebuilds_the_same_summary_on_both()
    {
        using var tmp = new TempDir();
        string data = CopyPhotos(tmp);
        string local = tmp.Sub("out");

        var az = await CliHarness.RunAsync(Quick(data, $"az://{_container}/runs", "r1"));
        Assert.True(az.ExitCode == 0, az.Err);
        Assert.DoesNotContain(AzuriteFixture.AccountKey, az.Out + az.Err);
        var loc = await CliHarness.RunAsync(Quick(data, local, "r1"));
        Assert.True(loc.ExitCode == 0, loc.Err);

        // The DESIGN §8 layout, blob for file.
        string[] expected =
        [
            "_SUCCESS", "_manifests/shard-00000.json", "_plan.json", "crops/model=resnet18/part-00000.parquet", "errors/part-00000.parquet",
            "images/model=resnet18/part-00000.parquet", "summary.json", "summary.parquet",
        ];
        Assert.Equal(expected, await BlobsAsync("runs/r1"));
        Assert.Equal(expected, LocalFiles(Path.Combine(local, "r1")));
        var rows = await BlobImageRowsAsync("runs/r1");
        Assert.Equal(3, rows.Count);
        Assert.Equal(3, rows.Select(r => r.ImageKey).Distinct().Count());

        var azSummary = await BlobSummaryAsync("runs/r1");
        var localSummary = CliHarness.ReadSummary(Path.Combine(local, "r1"));
        Assert.Equal(3, (long)azSummary["images"]!);
        Assert.Equal("cpu", (string?)azSummary["models"]![0]!["device"]);

        // aggregate rebuilds the summary files from the images (and errors) files alone.
        await Raw.GetBlobClient("runs/r1/summary.json").DeleteAsync();
        await Raw.GetBlobClient("runs/r1/summary.parquet").DeleteAsync();
        var aggAz = await CliHarness.RunAsync("aggregate", "--run", $"az://{_container}/runs/r1", "--connection-string", azurite.ConnectionString);
        Assert.True(aggAz.ExitCode == 0, aggAz.Err);
        Assert.Equal(expected, await BlobsAsync("runs/r1"));
        Assert.Equal(Canonical(azSummary), Canonical(await BlobSummaryAsync("runs/r1")));

        File.Delete(Path.Combine(local, "r1", "summary.json"));
        var aggLocal = await CliHarness.RunAsync("aggregate", "--run", Path.Combine(local, "r1"));
        Assert.True(aggLocal.ExitCode == 0, aggLocal.Err);
        Assert.Equal(Canonical(localSummary), Canonical(CliHarness.ReadSummary(Path.Combine(local, "r1"))));

        // The zoo table across the two runs: one model on one dataset is one row, from the run given last.
        string zoo = Path.Combine(tmp.Path, "zoo.parquet");
        var table = await CliHarness.RunAsync("aggregate", "--runs", $"{Path.Combine(local, "r1")},az://{_container}/runs/r1",
            "--out", zoo, "--connection-string", azurite.ConnectionString);
        Assert.True(table.ExitCode == 0, table.Err);
        Assert.Contains("replaces run", table.Err);
        await using var zs = File.OpenRead(zoo);
        var zooRow = Assert.Single(await ResultParquet.ReadRowsAsync<ZooRow>(zs));
        Assert.Equal(("resnet18", (string?)azSummary["dataset"], 3L, "cpu", 224), (zooRow.Model, (string?)zooRow.Dataset, zooRow.Images, zooRow.Device, zooRow.InputSize));
        Assert.Equal((double?)azSummary["models"]![0]!["realistic"]!["consistency_1px"], zooRow.Consistency1px);
        Assert.Contains("resnet18", table.Out);
    }

    [Fact]
    public async Task Query_and_report_read_a_run_straight_from_blob_storage()
    {
        using var tmp = new TempDir();
        string data = CopyPhotos(tmp);
        var run = await CliHarness.RunAsync(Quick(data, $"az://{_container}/runs", "q1"));
        Assert.Equal(0, run.ExitCode);
        string uri = $"az://{_container}/runs/q1";

        var query = await CliHarness.RunAsync("query", "--run", uri, "--connection-string", azurite.ConnectionString,
            "--cache", tmp.Sub("cache"), "--format", "json", "SELECT count(*) AS n, min(model) AS model FROM images");
        Assert.Equal(0, query.ExitCode);
        var rows = JsonNode.Parse(query.Out)!.AsArray();
        Assert.Equal(3, rows[0]!["n"]!.GetValue<long>());          // 3 photos × 1 model
        Assert.Equal("resnet18", rows[0]!["model"]!.GetValue<string>());

        var report = await CliHarness.RunAsync("report", "--run", uri, "--connection-string", azurite.ConnectionString, "--cache", tmp.Sub("cache2"));
        Assert.Equal(0, report.ExitCode);
        var written = await BlobsAsync("runs/q1/report");
        Assert.Contains(written, n => n.EndsWith(".html", StringComparison.Ordinal));
        Assert.Contains(written, n => n.EndsWith(".png", StringComparison.Ordinal));
        Assert.DoesNotContain(azurite.ConnectionString.Split("AccountKey=")[1].Split(';')[0], query.Err + report.Err + report.Out);
    }

    [Fact]
    public async Task A_shard_written_twice_leaves_one_set_of_rows()
    {
        using var tmp = new TempDir();
        string data = CopyPhotos(tmp);
        string @out = $"az://{_container}/twice";
        var first = await CliHarness.RunAsync(Quick(data, @out, "r2", "--shard-size", "1"));
        Assert.True(first.ExitCode == 0, first.Err);
        // Shard 1 looks unfinished (its manifest is gone): the rerun evaluates it again and overwrites its files.
        await Raw.GetBlobClient("twice/r2/_manifests/shard-00001.json").DeleteAsync();
        var second = await CliHarness.RunAsync(Quick(data, @out, "r2", "--shard-size", "1"));
        Assert.True(second.ExitCode == 0, second.Err);
        Assert.Contains("resumed: 2 shard(s)", second.Err);

        var rows = await BlobImageRowsAsync("twice/r2");
        Assert.Equal(3, rows.Count);
        Assert.All(rows.GroupBy(r => (r.ImageKey, r.Model)), g => Assert.Single(g));
        Assert.Equal(3, (await BlobsAsync("twice/r2/images")).Count);
        Assert.Equal(3, (long)(await BlobSummaryAsync("twice/r2"))["images"]!);
    }

    [Fact]
    public async Task Storage_stopped_mid_run_then_restarted_loses_and_duplicates_nothing()
    {
        using var tmp = new TempDir();
        string data = CopyPhotos(tmp);
        string @out = $"az://{_container}/outage";
        var run = CliHarness.RunAsync(Quick(data, @out, "r3", "--shard-size", "1"));
        var clock = Stopwatch.StartNew();
        var manifest = Raw.GetBlobClient("outage/r3/_manifests/shard-00000.json");
        while (!run.IsCompleted && !(await manifest.ExistsAsync()).Value)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(90), "hang guard: the first shard never finished");
            await Task.Delay(50);
        }
        azurite.Stop();
        CliRun interrupted;
        try
        {
            interrupted = await run.WaitAsync(TimeSpan.FromSeconds(90));
        }
        finally
        {
            await azurite.StartAsync();
        }
        output.WriteLine($"interrupted run exit code {interrupted.ExitCode}");
        if (interrupted.ExitCode != 0)
        {
            // Retries ran out: after the progress lines, one line naming a storage error, never the key; the rerun resumes.
            Assert.DoesNotContain(AzuriteFixture.AccountKey, interrupted.Err + interrupted.Out);
            var reason = Assert.Single(interrupted.ErrLines, l => l.StartsWith("robustcrop: ", StringComparison.Ordinal));
            Assert.Equal(reason, interrupted.ErrLines[^1]);
            Assert.StartsWith("robustcrop: storage error", reason);
            output.WriteLine($"outage: {reason}");
            var rerun = await CliHarness.RunAsync(Quick(data, @out, "r3", "--shard-size", "1"));
            Assert.True(rerun.ExitCode == 0, rerun.Err);
            output.WriteLine($"rerun: {rerun.ErrLines.FirstOrDefault(l => l.StartsWith("resumed", StringComparison.Ordinal))}");
        }
        var blobs = await BlobsAsync("outage/r3");
        Assert.Contains("_SUCCESS", blobs);
        Assert.Equal(3, blobs.Count(b => b.StartsWith("_manifests/", StringComparison.Ordinal)));
        var rows = await BlobImageRowsAsync("outage/r3");
        Assert.Equal(3, rows.Count);
        Assert.All(rows.GroupBy(r => (r.ImageKey, r.Model)), g => Assert.Single(g));
        Assert.Equal(3, (long)(await BlobSummaryAsync("outage/r3"))["images"]!);
    }

    [Fact]
    public async Task A_wrong_key_fails_at_start_with_one_line_that_holds_no_key()
    {
        using var tmp = new TempDir();
        string wrongKey = Convert.ToBase64String(Encoding.UTF8.GetBytes("a wrong key for devstoreaccount1, long enough to look real....."));
        string cs = azurite.ConnectionString.Replace(AzuriteFixture.AccountKey, wrongKey, StringComparison.Ordinal);
        var run = await CliHarness.RunAsync("evaluate", "--data", CopyPhotos(tmp), "--out", $"az://{_container}/x", "--run-id", "bad",
            "--model", "resnet18", "--connection-string", cs);
        // At start means before any model ran: no progress line was printed.
        Assert.DoesNotContain(run.ErrLines, l => l.StartsWith("progress", StringComparison.Ordinal));
        AssertOneLineFailure(run, wrongKey, AzuriteFixture.AccountKey, "AccountKey");
        Assert.Contains("403", run.ErrLines[0]);
        Assert.False((await Raw.ExistsAsync()).Value); // nothing was created with the wrong key
    }

    [Fact]
    public async Task The_connection_string_comes_from_the_environment_and_unreachable_storage_fails_with_one_line()
    {
        using var tmp = new TempDir();
        string unreachable = azurite.ConnectionString.Replace($":{azurite.Port}/", $":{AzuriteFixture.FreePort()}/", StringComparison.Ordinal);
        string? before = Environment.GetEnvironmentVariable(StoreFactory.ConnectionStringVariable);
        try
        {
            Environment.SetEnvironmentVariable(StoreFactory.ConnectionStringVariable, unreachable);
            var run = await CliHarness.RunAsync("evaluate", "--data", CopyPhotos(tmp), "--out", $"az://{_container}/x", "--run-id", "down",
                "--model", "resnet18");
            Assert.DoesNotContain(run.ErrLines, l => l.StartsWith("progress", StringComparison.Ordinal));
            AssertOneLineFailure(run, AzuriteFixture.AccountKey, "AccountKey");
            Assert.Contains("storage error", run.ErrLines[0]);

            Environment.SetEnvironmentVariable(StoreFactory.ConnectionStringVariable, azurite.ConnectionString);
            var agg = await CliHarness.RunAsync("aggregate", "--run", $"az://{_container}/x/none");
            AssertOneLineFailure(agg, AzuriteFixture.AccountKey);
            Assert.Contains("no run 'none'", agg.ErrLines[0]);

            Environment.SetEnvironmentVariable(StoreFactory.ConnectionStringVariable, null);
            var missing = await CliHarness.RunAsync("aggregate", "--run", $"az://{_container}/x/none");
            AssertOneLineFailure(missing);
            Assert.Contains(StoreFactory.ConnectionStringVariable, missing.ErrLines[0]);
        }
        finally
        {
            Environment.SetEnvironmentVariable(StoreFactory.ConnectionStringVariable, before);
        }
    }
}
