using RobustCrop.Coordinator.Analysis;
using RobustCrop.Core.Results;
using RobustCrop.IO.Results;
using RobustCrop.IO.Storage;

namespace RobustCrop.Coordinator.Tests.Analysis;

/// <summary>The run's views over real DuckDB: each column once (the model only from model=&lt;m&gt;/), and only the files a
/// shard manifest lists.</summary>
public sealed class RunDatabaseTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "robustcrop-rundb-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly RunLayout _layout = new("r1");

    public RunDatabaseTests() => Directory.CreateDirectory(_root);

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private string RunDir => Path.Combine(_root, "r1");

    private static ImageRow Image(string model, string key) => new(
        "r1", 0, key, null, model, 100, 100, 256, 256, 10, 1, "a", 0.5f, null,
        8, 1.0, false, 0, 0, null, 0.9, false, 0, null, null, 1.0, false);

    private async Task WriteShardAsync(LocalFolderStore store, int shard, bool manifest, params string[] models)
    {
        var files = new List<ManifestFile>();
        foreach (var m in models)
        {
            var rows = Enumerable.Range(0, 3).Select(i => Image(m, $"photos/{shard}-{i}.png")).ToList();
            string path = _layout.ImagesPart(m, shard);
            await store.WriteAsync(path, s => ResultParquet.WritePartitionRowsAsync(s, m, rows, r => r.Model));
            files.Add(new ManifestFile(path, rows.Count, 0, "0000000000000000"));
        }
        if (manifest)
            await store.WriteTextAsync(_layout.ShardManifest(shard), ShardManifestIo.Serialize(new ShardManifest(
                "r1", shard, "test", 3, 0, files, "w", "0", null, models, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch)));
    }

    [Fact]
    public async Task Hive_partitioned_reading_gives_each_column_once_and_the_model_from_the_folder()
    {
        var store = new LocalFolderStore(_root);
        await WriteShardAsync(store, 0, manifest: true, "resnet18", "resnet18-blur");

        using var db = RunDatabase.Open(RunDir);
        var columns = db.Query("SELECT column_name FROM (DESCRIBE images)").Rows.Select(r => (string)r[0]!).ToList();
        Assert.Equal(columns.Count, columns.Distinct().Count());
        Assert.Single(columns, c => c == "model");
        Assert.Equal(ResultParquet.ColumnNames<ImageRow>().Order(), columns.Order());
        var models = db.Query("SELECT model, count(*) FROM images GROUP BY model ORDER BY model").Rows;
        Assert.Equal([("resnet18", 3L), ("resnet18-blur", 3L)], models.Select(r => ((string)r[0]!, Convert.ToInt64(r[1]))));

        // DuckDB's own reader over the folders, as the README shows it, agrees.
        string glob = Path.Combine(RunDir, "images", "*", "*.parquet").Replace("'", "''", StringComparison.Ordinal);
        var direct = db.Query($"SELECT column_name FROM (DESCRIBE SELECT * FROM read_parquet('{glob}', hive_partitioning = true))")
            .Rows.Select(r => (string)r[0]!).ToList();
        Assert.Equal(direct.Count, direct.Distinct().Count());
        Assert.Single(direct, c => c == "model");
    }

    [Fact]
    public async Task Files_of_a_shard_without_a_manifest_are_not_in_the_views()
    {
        var store = new LocalFolderStore(_root);
        await WriteShardAsync(store, 0, manifest: true, "resnet18");
        await WriteShardAsync(store, 1, manifest: false, "resnet18");

        using var db = RunDatabase.Open(RunDir);
        Assert.Equal(3L, Convert.ToInt64(db.Query("SELECT count(*) FROM images").Rows[0][0]));
        Assert.Equal(0L, Convert.ToInt64(db.Query("SELECT count(*) FROM images WHERE image_key LIKE 'photos/1-%'").Rows[0][0]));
    }

    [Fact]
    public async Task A_run_with_no_finished_shard_has_nothing_to_query()
    {
        await WriteShardAsync(new LocalFolderStore(_root), 0, manifest: false, "resnet18");
        var e = Assert.Throws<FileNotFoundException>(() => RunDatabase.Open(RunDir));
        Assert.Contains("no finished shard", e.Message);
    }
}
