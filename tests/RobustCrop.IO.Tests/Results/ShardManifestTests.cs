using System.Text;
using System.Text.Json;
using RobustCrop.IO.Results;

namespace RobustCrop.IO.Tests.Results;

public sealed class ShardManifestTests
{
    private static ShardManifest Sample() => new(
        "run-42", 7, "shards/000007.tar", Images: 998, Errors: 2,
        [
            new ManifestFile("run-42/images/model=resnet18/part-00007.parquet", 998, 123_456, "0123456789abcdef"),
            new ManifestFile("run-42/errors/part-00007.parquet", 2, 2_048, "fedcba9876543210"),
        ],
        "node-a/worker-1", "0.1.0", OnnxRuntimeVersion: null, ["resnet18"],
        new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero), new DateTimeOffset(2025, 1, 2, 3, 9, 0, TimeSpan.Zero));

    [Fact]
    public void Json_uses_snake_case_keys()
    {
        using var doc = JsonDocument.Parse(ShardManifestIo.Serialize(Sample()));
        Assert.Equal(
            ["run_id", "shard", "source", "images", "errors", "files", "worker", "robustcrop_version",
             "onnxruntime_version", "models", "started_utc", "finished_utc"],
            doc.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["path", "rows", "bytes", "xxhash64"],
            doc.RootElement.GetProperty("files")[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("onnxruntime_version").ValueKind);
    }

    [Fact]
    public void Manifest_round_trips()
    {
        var original = Sample();
        var back = ShardManifestIo.Deserialize(ShardManifestIo.Serialize(original));

        Assert.Equal(original with { Files = [], Models = [] }, back with { Files = [], Models = [] });
        Assert.Equal(original.Files, back.Files);
        Assert.Equal(original.Models, back.Models);
    }

    [Fact]
    public void Hash_is_the_standard_xxhash64_in_hex()
    {
        // Reference values of XXH64 with seed 0 (xxhash test vectors).
        Assert.Equal("ef46db3751d8e999", ShardManifestIo.HashHex([]));
        Assert.Equal("44bc2cf5ad770999", ShardManifestIo.HashHex("abc"u8));
    }

    [Fact]
    public async Task Stream_hash_matches_the_span_hash_and_counts_bytes()
    {
        var content = Encoding.UTF8.GetBytes(new string('x', 200_000));
        var (hash, bytes) = await ShardManifestIo.HashAsync(new MemoryStream(content));
        Assert.Equal(ShardManifestIo.HashHex(content), hash);
        Assert.Equal(200_000, bytes);
    }
}
