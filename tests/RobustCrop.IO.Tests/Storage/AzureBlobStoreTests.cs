using System.Text;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using RobustCrop.Core.Results;
using RobustCrop.IO.Results;
using RobustCrop.IO.Storage;

namespace RobustCrop.IO.Tests.Storage;

[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "azurite";
}

/// <summary>The <see cref="LocalFolderStore"/> contract, on Azure Blob Storage (the real Azurite emulator, no mocks).</summary>
[Collection(AzuriteCollection.Name)]
[Trait("Category", "Azurite")]
[Trait("Category", "Slow")]
public sealed class AzureBlobStoreTests(AzuriteFixture azurite)
{
    /// <summary>Few, short retries: tests that take storage away stay quick.</summary>
    private static readonly AzureBlobStoreOptions Quick = new()
    {
        MaxRetries = 2, Delay = TimeSpan.FromMilliseconds(50), MaxDelay = TimeSpan.FromMilliseconds(200),
        NetworkTimeout = TimeSpan.FromSeconds(5), ProbeTimeout = TimeSpan.FromSeconds(5),
    };

    private readonly string _container = "t-" + Guid.NewGuid().ToString("N")[..16];

    private async Task<AzureBlobStore> OpenAsync(string prefix = "runs/a", AzureBlobStoreOptions? options = null)
        => (AzureBlobStore)await StoreFactory.OpenAsync($"az://{_container}/{prefix}", azurite.ConnectionString, default, options ?? Quick);

    private BlobContainerClient Raw => new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(_container);

    private async Task<List<string>> RawNamesAsync()
    {
        var names = new List<string>();
        await foreach (var b in Raw.GetBlobsAsync()) names.Add(b.Name);
        return names;
    }

    private static Task WriteTextAsync(IResultStore store, string path, string text)
        => store.WriteAsync(path, s => s.WriteAsync(Encoding.UTF8.GetBytes(text)).AsTask());

    private static async Task<List<string>> ListAsync(IResultStore store, string prefix)
    {
        var list = new List<string>();
        await foreach (var p in store.ListAsync(prefix)) list.Add(p);
        return list;
    }

    [Fact]
    public async Task Of_starts_of_one_run_at_the_same_instant_with_other_plans_exactly_one_claims_it_in_blob_storage()
    {
        var store = await OpenAsync();
        var layout = new RunLayout("race");
        var plans = Enumerable.Range(1, 6).Select(w => new Core.Settings.RunPlan("d", "d", 256, 0, ["m"], 0.99, w, "none", false, 1, 1, 1)).ToArray();
        var outcomes = await Task.WhenAll(plans.Select(p => Task.Run(async () =>
        {
            try { return await RunClaim.ClaimOrResumeAsync(store, layout, p, default) ? "resumed" : "claimed"; }
            catch (RunPlanMismatchException) { return "refused"; }
        })));

        Assert.Equal(1, outcomes.Count(o => o == "claimed"));
        Assert.Equal(5, outcomes.Count(o => o == "refused"));
        Assert.Equal(Array.IndexOf(outcomes, "claimed") + 1, (await RunStateIo.ReadPlanAsync(store, layout, default))!.WindowK);
        // The winner's plan again is a resume.
        Assert.True(await RunClaim.ClaimOrResumeAsync(store, layout, plans[Array.IndexOf(outcomes, "claimed")], default));
        Assert.False(await store.CreateAsync("runs/x.json", s => s.WriteAsync(new byte[1]).AsTask()) && await store.CreateAsync("runs/x.json", s => s.WriteAsync(new byte[2]).AsTask()));
    }

    [Fact]
    public async Task The_probe_creates_the_container_and_a_written_file_can_be_read_back_under_the_prefix()
    {
        var store = await OpenAsync();
        Assert.True((await Raw.ExistsAsync()).Value);
        await WriteTextAsync(store, "run/a/b.json", "hello");
        Assert.True(await store.ExistsAsync("run/a/b.json"));
        Assert.False(await store.ExistsAsync("run/a/c.json"));
        Assert.Equal("hello", await store.ReadTextAsync("run/a/b.json"));
        Assert.Equal(["runs/a/run/a/b.json"], await RawNamesAsync());
    }

    [Fact]
    public async Task A_writer_that_throws_leaves_no_blob_and_no_uncommitted_blocks()
    {
        var store = await OpenAsync();
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => store.WriteAsync("run/x.parquet", async s =>
        {
            await s.WriteAsync(new byte[1000]);
            throw new InvalidOperationException("disk on fire");
        }));
        Assert.Equal("disk on fire", ex.Message);
        Assert.False(await store.ExistsAsync("run/x.parquet"));
        Assert.Empty(await ListAsync(store, ""));
        var all = new List<string>();
        await foreach (var b in Raw.GetBlobsAsync(new GetBlobsOptions { States = BlobStates.Uncommitted })) all.Add(b.Name);
        Assert.Empty(all);
    }

    [Fact]
    public async Task A_failed_retry_keeps_the_earlier_complete_blob()
    {
        var store = await OpenAsync();
        await WriteTextAsync(store, "run/x.json", "first");
        await Assert.ThrowsAsync<IOException>(() => store.WriteAsync("run/x.json", async s =>
        {
            await s.WriteAsync("half"u8.ToArray());
            throw new IOException("lost");
        }));
        Assert.Equal("first", await store.ReadTextAsync("run/x.json"));
    }

    [Fact]
    public async Task A_retry_overwrites_instead_of_duplicating()
    {
        var store = await OpenAsync();
        await WriteTextAsync(store, "run/part-00007.parquet", "first attempt, longer content");
        await WriteTextAsync(store, "run/part-00007.parquet", "second");
        Assert.Equal("second", await store.ReadTextAsync("run/part-00007.parquet"));
        Assert.Equal(["run/part-00007.parquet"], await ListAsync(store, "run/"));
    }

    [Fact]
    public async Task Listing_is_sorted_filtered_by_prefix_and_relative_to_the_store()
    {
        var store = await OpenAsync("p");
        var other = await OpenAsync("q"); // same container, another prefix: never listed by the first store
        await WriteTextAsync(other, "r/images/model=a/part-00000.parquet", "other");
        foreach (var p in new[] { "r/images/model=b/part-00002.parquet", "r/images/model=a/part-00010.parquet",
                     "r/images/model=a/part-00002.parquet", "r/errors/part-00001.parquet", "r/_SUCCESS", "other/x" })
            await WriteTextAsync(store, p, p);

        Assert.Equal(
            ["r/images/model=a/part-00002.parquet", "r/images/model=a/part-00010.parquet", "r/images/model=b/part-00002.parquet"],
            await ListAsync(store, "r/images/"));
        Assert.Equal(["r/images/model=a/part-00002.parquet", "r/images/model=a/part-00010.parquet"], await ListAsync(store, "r/images/model=a/part-0"));
        Assert.Equal(["r/_SUCCESS", "r/errors/part-00001.parquet", "r/images/model=a/part-00002.parquet",
            "r/images/model=a/part-00010.parquet", "r/images/model=b/part-00002.parquet"], await ListAsync(store, "r/"));
        Assert.Equal(6, (await ListAsync(store, "")).Count);
        Assert.Empty(await ListAsync(store, "missing/"));
    }

    [Fact]
    public async Task Files_being_written_are_not_listed()
    {
        var store = await OpenAsync();
        var listed = new List<string>();
        await store.WriteAsync("r/a.json", async s =>
        {
            await s.WriteAsync("x"u8.ToArray());
            await s.FlushAsync();
            listed = await ListAsync(store, "r/");
        });
        Assert.Empty(listed);
        Assert.Equal(["r/a.json"], await ListAsync(store, "r/"));
    }

    [Fact]
    public async Task A_large_file_goes_up_as_staged_blocks_committed_at_the_end()
    {
        var store = await OpenAsync(options: Quick with { SingleUploadLimit = 1 << 20, BlockSize = 256 << 10 });
        var data = new byte[3 << 20];
        new Random(7).NextBytes(data);
        await store.WriteAsync("r/big.bin", s => s.WriteAsync(data).AsTask());

        await using var read = await store.OpenReadAsync("r/big.bin");
        var back = new MemoryStream();
        await read.CopyToAsync(back);
        Assert.Equal(data, back.ToArray());
        var blocks = (await Raw.GetBlockBlobClient("runs/a/r/big.bin").GetBlockListAsync(BlockListTypes.All)).Value;
        Assert.True(blocks.CommittedBlocks.Count() >= 12, $"{blocks.CommittedBlocks.Count()} committed blocks");
        Assert.Empty(blocks.UncommittedBlocks);
    }

    [Fact]
    public async Task Parquet_round_trips_through_the_store()
    {
        var store = await OpenAsync();
        var rows = new List<ErrorRow> { new("r", 0, "a.jpg", "decode", "truncated"), new("r", 0, "b.jpg", "decode", "empty") };
        await store.WriteAsync("r/errors/part-00000.parquet",
            s => ResultParquet.WriteErrorRowsAsync(s, rows, new Dictionary<string, string> { [ResultMetadataKeys.Dataset] = "d" }));
        await using var s = await store.OpenReadAsync("r/errors/part-00000.parquet");
        Assert.Equal(rows, await ResultParquet.ReadErrorRowsAsync(s));
        s.Position = 0;
        Assert.Equal("d", (await ResultParquet.ReadMetadataAsync(s))[ResultMetadataKeys.Dataset]);
    }

    [Fact]
    public async Task Delete_removes_and_tolerates_a_missing_blob()
    {
        var store = await OpenAsync();
        await WriteTextAsync(store, "r/a.json", "x");
        await store.DeleteAsync("r/a.json");
        Assert.False(await store.ExistsAsync("r/a.json"));
        await store.DeleteAsync("r/a.json");
        Assert.Empty(await RawNamesAsync());
    }

    [Fact]
    public async Task Opening_a_missing_blob_throws_file_not_found()
    {
        var store = await OpenAsync();
        await Assert.ThrowsAsync<FileNotFoundException>(() => store.OpenReadAsync("r/none.json"));
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("a/../../x")]
    [InlineData("/etc/passwd")]
    [InlineData("a//b")]
    [InlineData("./a")]
    [InlineData("a\\b")]
    [InlineData("")]
    public async Task Paths_that_could_escape_or_are_ambiguous_are_rejected(string path)
    {
        var store = await OpenAsync();
        await Assert.ThrowsAsync<ArgumentException>(() => store.WriteAsync(path, _ => Task.CompletedTask));
        await Assert.ThrowsAsync<ArgumentException>(() => store.ExistsAsync(path));
        await Assert.ThrowsAsync<ArgumentException>(() => store.OpenReadAsync(path));
        await Assert.ThrowsAsync<ArgumentException>(() => store.DeleteAsync(path));
        await Assert.ThrowsAsync<ArgumentException>(async () => await ListAsync(store, "../"));
    }

    [Fact]
    public async Task Describe_names_the_container_and_prefix_and_never_the_key()
    {
        var store = await OpenAsync();
        Assert.Equal($"az://{_container}/runs/a", store.Describe());
        Assert.DoesNotContain(AzuriteFixture.AccountKey, store.Describe());
    }

    [Fact]
    public async Task A_wrong_key_fails_the_probe_with_one_line_without_the_key()
    {
        string wrongKey = Convert.ToBase64String(Encoding.UTF8.GetBytes("not the key of this account, 64 bytes long, padded out......"));
        string cs = azurite.ConnectionString.Replace(AzuriteFixture.AccountKey, wrongKey, StringComparison.Ordinal);
        var ex = await Assert.ThrowsAsync<StorageUnavailableException>(() => StoreFactory.OpenAsync($"az://{_container}/p", cs, default, Quick));
        Assert.DoesNotContain('\n', ex.Message);
        Assert.DoesNotContain(wrongKey, ex.Message);
        Assert.DoesNotContain("AccountKey", ex.Message);
        Assert.Contains("403", ex.Message);
    }

    [Fact]
    public async Task Storage_that_does_not_answer_fails_the_probe_within_its_timeout()
    {
        string cs = azurite.ConnectionString.Replace($":{azurite.Port}/", $":{AzuriteFixture.FreePort()}/", StringComparison.Ordinal);
        // The hang guard is far above the probe's limit: it catches a probe that never gives up, and asserts no speed.
        var ex = await Assert.ThrowsAsync<StorageUnavailableException>(
            () => StoreFactory.OpenAsync($"az://{_container}/p", cs, default, Quick).WaitAsync(TimeSpan.FromMinutes(2)));
        Assert.DoesNotContain('\n', ex.Message);
        Assert.DoesNotContain(AzuriteFixture.AccountKey, ex.Message);
    }

    [Fact]
    public async Task An_outage_longer_than_the_retries_fails_the_write_and_storage_coming_back_works_again()
    {
        var store = await OpenAsync();
        await WriteTextAsync(store, "r/before.json", "1");
        azurite.Stop();
        try
        {
            var ex = await Assert.ThrowsAsync<StorageUnavailableException>(() => WriteTextAsync(store, "r/during.json", "2").WaitAsync(TimeSpan.FromMinutes(2)));
            Assert.DoesNotContain('\n', ex.Message);
            Assert.Contains("3 tries", ex.Message);
        }
        finally
        {
            await azurite.StartAsync();
        }
        Assert.Equal(["r/before.json"], await ListAsync(store, "r/"));
        await WriteTextAsync(store, "r/after.json", "3");
        Assert.Equal(["r/after.json", "r/before.json"], await ListAsync(store, "r/"));
    }

    [Fact]
    public async Task A_short_outage_is_covered_by_the_retries()
    {
        var patient = await OpenAsync(options: Quick with { MaxRetries = 8, Delay = TimeSpan.FromMilliseconds(200), MaxDelay = TimeSpan.FromSeconds(2) });
        azurite.Stop();
        var write = WriteTextAsync(patient, "r/retried.json", "ok");
        await Task.Delay(300);
        await azurite.StartAsync();
        await write;
        Assert.Equal("ok", await patient.ReadTextAsync("r/retried.json"));
    }
}
