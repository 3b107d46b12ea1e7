using System.Formats.Tar;
using System.Text;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Sas;
using RobustCrop.Core.Data;
using RobustCrop.IO.Data;
using RobustCrop.IO.Storage;
using RobustCrop.IO.Tests.Storage;

namespace RobustCrop.IO.Tests.Data;

/// <summary>WebDataset shards read from Azure Blob Storage (the real Azurite emulator) exactly as from a local folder.</summary>
[Collection(AzuriteCollection.Name)]
[Trait("Category", "Azurite")]
[Trait("Category", "Slow")]
public sealed class AzureTarDatasetTests(AzuriteFixture azurite) : IDisposable
{
    private static readonly AzureBlobStoreOptions Quick = new()
    {
        MaxRetries = 1, Delay = TimeSpan.FromMilliseconds(50), MaxDelay = TimeSpan.FromMilliseconds(100),
        NetworkTimeout = TimeSpan.FromSeconds(3), ProbeTimeout = TimeSpan.FromSeconds(3),
    };

    private readonly string _container = "d-" + Guid.NewGuid().ToString("N")[..16];
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>An img2dataset-style tar: samples with an image, a .json sidecar (url, caption, key, width, height, status)
    /// and a .cls label; each image is <paramref name="imageBytes"/> bytes.</summary>
    private static byte[] Shard(int shard, int samples, int imageBytes)
    {
        using var buffer = new MemoryStream();
        using (var writer = new TarWriter(buffer, TarEntryFormat.Pax, leaveOpen: true))
        {
            for (int i = 0; i < samples; i++)
            {
                string key = $"{shard:D5}{i:D4}";
                var image = new byte[imageBytes];
                new Random(shard * 1000 + i).NextBytes(image);
                void Add(string name, byte[] data) => writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) });
                Add(key + ".jpg", image);
                Add(key + ".json", Encoding.UTF8.GetBytes($$"""{"url": "http://example.org/{{key}}.jpg", "caption": "a photo {{i}}", "key": "{{key}}", "width": 64, "height": 48, "status": "success"}"""));
                Add(key + ".cls", Encoding.UTF8.GetBytes((i % 3).ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }
        }
        return buffer.ToArray();
    }

    /// <summary>Writes the shards to a local folder and uploads the same bytes under az://container/shards/.</summary>
    private async Task<string> UploadAsync(int shards, int samples, int imageBytes, bool stats)
    {
        string local = Path.Combine(_dir.Path, "shards");
        Directory.CreateDirectory(local);
        var container = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(_container);
        await container.CreateIfNotExistsAsync();
        for (int s = 0; s < shards; s++)
        {
            byte[] tar = Shard(s, samples, imageBytes);
            await File.WriteAllBytesAsync(Path.Combine(local, $"{s:D5}.tar"), tar);
            await container.GetBlobClient($"shards/{s:D5}.tar").UploadAsync(new BinaryData(tar), overwrite: true);
            if (stats)
            {
                string json = $$"""{"count": {{samples + 1}}, "successes": {{samples}}, "failed_to_download": 1}""";
                await File.WriteAllTextAsync(Path.Combine(local, $"{s:D5}_stats.json"), json);
                await container.GetBlobClient($"shards/{s:D5}_stats.json").UploadAsync(new BinaryData(json), overwrite: true);
            }
        }
        return local;
    }

    private static List<(string Key, string? Label, string? Error, string Bytes)> ReadAll(IImageDataset ds, int shardSize)
        => ds.PlanShards(shardSize).SelectMany(ds.ReadShard)
            .Select(r => (r.Key, r.Label, r.ReadError, r.Encoded is { } e ? Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(e.Span)) : ""))
            .ToList();

    [Fact]
    public async Task Shards_under_a_prefix_or_a_brace_list_read_as_the_same_shards_from_a_local_folder()
    {
        string local = await UploadAsync(shards: 3, samples: 5, imageBytes: 3000, stats: true);
        var expected = ReadAll(new WebDatasetTarDataset(local), 2);
        Assert.Equal(15, expected.Count);

        var byPrefix = DatasetFactory.Open($"az://{_container}/shards/", azurite.ConnectionString);
        Assert.Equal("shards", byPrefix.Name);
        // Planned from the stats sidecars alone: 3 tars of 5 samples in shards of 2.
        Assert.Equal(9, byPrefix.PlanShards(2).Count);
        Assert.Equal(expected, ReadAll(byPrefix, 2));

        var byRange = DatasetFactory.Open($"az://{_container}/shards/{{00001..00002}}.tar", azurite.ConnectionString);
        Assert.Equal(expected.Skip(5), ReadAll(byRange, 100));

        var missing = Assert.Throws<DatasetException>(() => DatasetFactory.Open($"az://{_container}/shards/{{00002..00003}}.tar", azurite.ConnectionString));
        Assert.Equal($"data not found: az://{_container}/shards/00003.tar", missing.Message);
    }

    [Fact]
    public async Task An_img2dataset_parquet_beside_a_blob_tar_gives_its_count_without_reading_the_tar()
    {
        await UploadAsync(shards: 1, samples: 4, imageBytes: 100, stats: false);
        // 3 of 5 URLs succeeded: a plan of 3 (the tar holds 4) proves the count came from the Parquet's status column.
        var container = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(_container);
        await container.GetBlobClient("shards/00000.parquet").UploadAsync(
            new BinaryData(Img2DatasetFiles.ShardParquet("success", "failed_to_download", "success", "success", "failed_to_download")), overwrite: true);
        var ds = DatasetFactory.Open($"az://{_container}/shards/", azurite.ConnectionString);
        Assert.Equal([(0L, 2L), (2L, 1L)], ds.PlanShards(2).Select(s => (s.Start, s.Count)));
    }

    [Fact]
    public async Task Without_sidecars_one_tar_is_one_shard_and_planning_reads_no_tar()
    {
        await UploadAsync(shards: 2, samples: 4, imageBytes: 100, stats: false);
        var ds = DatasetFactory.Open($"az://{_container}/shards", azurite.ConnectionString);
        Assert.Equal([(0L, -1L), (0L, -1L)], ds.PlanShards(2).Select(s => (s.Start, s.Count)));
        Assert.Equal(8, ReadAll(ds, 2).Count);
        // --limit still works over shards of unknown size: the first tar trimmed to 3 samples.
        var limited = ShardLimit.Apply(ds.PlanShards(2), 3);
        Assert.Equal(3, limited.SelectMany(ds.ReadShard).Count());
    }

    [Fact]
    public async Task A_sas_token_reads_the_shards_and_a_missing_credential_is_one_line()
    {
        string local = await UploadAsync(shards: 1, samples: 3, imageBytes: 100, stats: false);
        var sas = new AccountSasBuilder(AccountSasPermissions.Read | AccountSasPermissions.List, DateTimeOffset.UtcNow.AddHours(1),
            AccountSasServices.Blobs, AccountSasResourceTypes.All).ToSasQueryParameters(
            new StorageSharedKeyCredential(AzuriteFixture.AccountName, AzuriteFixture.AccountKey)).ToString();
        var env = new Dictionary<string, string>
        {
            [StoreFactory.AccountUrlVariable] = azurite.BlobEndpoint,
            [StoreFactory.SasTokenVariable] = sas,
        };
        var ds = AzureTarDataset.Open($"az://{_container}/shards/", null, environment: v => env.GetValueOrDefault(v));
        Assert.Equal(ReadAll(new WebDatasetTarDataset(local), 10), ReadAll(ds, 10));

        var none = Assert.Throws<DatasetException>(() => AzureTarDataset.Open($"az://{_container}/shards/", null, environment: _ => null));
        Assert.DoesNotContain('\n', none.Message);
        Assert.Contains("needs a storage connection string", none.Message);
        Assert.Contains(StoreFactory.AccountUrlVariable, none.Message);
    }

    [Fact]
    public async Task Storage_stopping_mid_shard_fails_the_shard_whole_and_a_retry_reads_every_sample_once()
    {
        // 20 samples of 64 KiB read through a 64 KiB buffer: the stream needs many ranged reads after the first record.
        string local = await UploadAsync(shards: 1, samples: 20, imageBytes: 64 << 10, stats: false);
        var ds = AzureTarDataset.Open($"az://{_container}/shards/", azurite.ConnectionString, options: Quick, bufferSize: 64 << 10);
        var shard = Assert.Single(ds.PlanShards(100));

        var read = new List<ImageRecord>();
        try
        {
            var e = Assert.Throws<DataSourceException>(() =>
            {
                foreach (var r in ds.ReadShard(shard))
                {
                    read.Add(r);
                    if (read.Count == 2) azurite.Stop();
                }
            });
            Assert.Contains($"az://{_container}/shards/00000.tar", e.Message);
            Assert.DoesNotContain('\n', e.Message);
            // No error rows were made up for the samples it could not read: the shard failed as a whole.
            Assert.All(read, r => Assert.Null(r.ReadError));
            Assert.True(read.Count < 20);
        }
        finally
        {
            await azurite.StartAsync();
        }

        // The retry (another worker, or a resume) reads the shard again: every sample once, identical to the local tar.
        Assert.Equal(ReadAll(new WebDatasetTarDataset(local), 100), ReadAll(ds, 100));
    }
}
