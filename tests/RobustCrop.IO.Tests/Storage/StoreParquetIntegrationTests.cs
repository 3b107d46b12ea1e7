using RobustCrop.Core.Results;
using RobustCrop.IO.Results;
using RobustCrop.IO.Storage;

namespace RobustCrop.IO.Tests.Storage;

public sealed class StoreParquetIntegrationTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "rc-int-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
            Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task A_shard_file_written_through_the_store_is_described_by_its_manifest_entry()
    {
        IResultStore store = new LocalFolderStore(_root);
        var layout = new RunLayout("run-1");
        var rows = new List<ErrorRow> { new("run-1", 7, "a.jpg", "decode", "truncated"), new("run-1", 7, "b.jpg", "read", "gone") };
        var path = layout.ErrorsPart(7);

        await store.WriteAsync(path, s => ResultParquet.WriteErrorRowsAsync(s, rows));
        (string hash, long bytes) entry;
        await using (var s = await store.OpenReadAsync(path))
        {
            entry = await ShardManifestIo.HashAsync(s);
        }

        var content = await File.ReadAllBytesAsync(Path.Combine(_root, "run-1", "errors", "part-00007.parquet"));
        Assert.Equal(content.Length, entry.bytes);
        Assert.Equal(ShardManifestIo.HashHex(content), entry.hash);
        await using (var s = await store.OpenReadAsync(path))
        {
            Assert.Equal(rows, await ResultParquet.ReadErrorRowsAsync(s));
        }
    }
}
