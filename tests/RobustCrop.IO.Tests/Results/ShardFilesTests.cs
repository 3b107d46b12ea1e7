using RobustCrop.Core.Data;
using RobustCrop.Core.Results;
using RobustCrop.Core.Settings;
using RobustCrop.IO.Models;
using RobustCrop.IO.Results;
using RobustCrop.IO.Storage;

namespace RobustCrop.IO.Tests.Results;

/// <summary>ShardFiles writes a shard's files then its manifest, and reads the manifests back to skip, verify and account.</summary>
public sealed class ShardFilesTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "robustcrop-shardfiles-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly LocalFolderStore _store;
    private readonly RunLayout _layout = new("p1");
    private readonly ShardFiles _files;

    private static readonly ShardModel Model = new(ZooFile.Parse("models: [{ id: m, onnx: m.onnx, input: { size: 32 } }]", "/zoo", "/models")[0], "cpu", 10);

    private static readonly ShardOrigin Origin = new([Model], new RunSettings(new RunId("p1")), "w1", "1.2.3") { PredictionMode = "standard" };

    public ShardFilesTests()
    {
        Directory.CreateDirectory(_root);
        _store = new LocalFolderStore(_root);
        _files = new ShardFiles(_store, _layout);
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private static DatasetShard Shard(int id, long count) => new(new ShardId(id), ShardSource.Of("memory"), 0, count);

    private static ShardResult Predicted(int shard, int rows, int errors)
    {
        var result = new ShardResult(new ShardId(shard)) { Inputs = rows + errors };
        result.Predictions["m"] = [.. Enumerable.Range(0, rows).Select(i => new PredictionRow("p1", shard, $"k{i}", "a", "m", "standard", 1, null,
            0, 0, 0, 0, 0, 0, i % 2, i % 2 == 0 ? "a" : "b", 0.5f, i % 2 == 0, i % 2 == 0 ? "a 0.500 | b 0.500" : "b 0.500 | a 0.500"))];
        result.Errors.AddRange(Enumerable.Range(0, errors).Select(i => new ErrorRow("p1", shard, $"bad{i}", "decode", "not an image")));
        return result;
    }

    [Fact]
    public async Task A_predicted_shard_is_written_with_a_manifest_that_lists_its_files_and_verifies()
    {
        var manifest = await _files.WriteAsync(Predicted(3, rows: 4, errors: 1), Origin, "memory[0+5]", DateTimeOffset.UnixEpoch, default);

        Assert.Equal((4L, 1L, "w1", "1.2.3"), (manifest.Images, manifest.Errors, manifest.Worker, manifest.OnnxRuntimeVersion));
        Assert.Equal([(_layout.PredictionsPart(3), 4L), (_layout.ErrorsPart(3), 1L)], manifest.Files.Select(f => (f.Path, f.Rows)));
        Assert.Equal(ShardManifestIo.Serialize(manifest), ShardManifestIo.Serialize((await _files.TryReadAsync(3, default))!));
        Assert.Null(await _files.TryReadAsync(2, default));
        Assert.Equal([true, false, true, false], (await _files.ReadPredictionsAsync(3, default)).Select(r => r.Correct == true));
        Assert.Null(await _files.VerifyAsync(new ShardId(3), 4, 1, 2, default));
        Assert.Contains("the worker reported 5, 1, 2", await _files.VerifyAsync(new ShardId(3), 5, 1, 2, default));
        Assert.Contains("shard 00002 was reported done but its manifest is not in the job's store", await _files.VerifyAsync(new ShardId(2), 4, 1, 2, default));
        File.Delete(Path.Combine(_root, _layout.ErrorsPart(3)));
        Assert.Contains($"its manifest lists {_layout.ErrorsPart(3)}, which is not in the job's store", await _files.VerifyAsync(new ShardId(3), 4, 1, 2, default));
    }

    [Fact]
    public async Task Done_shards_are_skipped_and_success_needs_every_planned_input_accounted_for()
    {
        await _files.WriteAsync(Predicted(0, rows: 2, errors: 0), Origin, "s0", DateTimeOffset.UnixEpoch, default);
        var plan = new[] { Shard(0, 2), Shard(1, 3) };

        var (todo, done) = await _files.SplitDoneAsync(plan, default);
        Assert.Equal([1], todo.Select(s => s.Id.Value));
        Assert.Equal([0], done.Select(m => m.Shard));
        var missing = await Assert.ThrowsAsync<InvalidOperationException>(() => _files.AccountForAsync(plan, default));
        Assert.Equal($"refusing to mark run p1 complete: shard 00001 has no manifest in {_store.Describe()}", missing.Message);

        await _files.WriteAsync(Predicted(1, rows: 2, errors: 0), Origin, "s1", DateTimeOffset.UnixEpoch, default);
        var lost = await Assert.ThrowsAsync<InvalidOperationException>(() => _files.AccountForAsync(plan, default));
        Assert.Contains("shard 00001 planned 3 inputs, its manifest accounts for 2 (2 images + 0 errors)", lost.Message);
        Assert.Equal(4, await _files.AccountForAsync([Shard(0, 2), Shard(1, 2)], default));
        Assert.Equal(4, await _files.AccountForAsync([Shard(0, -1), Shard(1, 2)], default)); // a shard of unknown size counts what it read
        await _files.MarkSuccessAsync(default);
        Assert.True(File.Exists(Path.Combine(_root, _layout.Success)));
    }
}
