using System.IO.Hashing;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace RobustCrop.IO.Results;

/// <summary>One file a shard wrote, with what a resumed run needs to trust it without reading it.</summary>
/// <param name="Path">Store-relative path of the file.</param>
/// <param name="XxHash64">XxHash64 of the file content, 16 lower-case hex digits.</param>
public sealed record ManifestFile(
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("rows")] long Rows,
    [property: JsonPropertyName("bytes")] long Bytes,
    [property: JsonPropertyName("xxhash64")] string XxHash64);

/// <summary>_manifests/shard-&lt;shard&gt;.json: written after all of a shard's files, so its presence
/// marks the shard done (DESIGN §7).</summary>
/// <param name="Source">Human-readable description of the shard's input (a tar, a row range, a folder slice).</param>
public sealed record ShardManifest(
    [property: JsonPropertyName("run_id")] string RunId,
    [property: JsonPropertyName("shard")] int Shard,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("images")] long Images,
    [property: JsonPropertyName("errors")] long Errors,
    [property: JsonPropertyName("files")] IReadOnlyList<ManifestFile> Files,
    [property: JsonPropertyName("worker")] string Worker,
    [property: JsonPropertyName("robustcrop_version")] string RobustCropVersion,
    [property: JsonPropertyName("onnxruntime_version")] string? OnnxRuntimeVersion,
    [property: JsonPropertyName("models")] IReadOnlyList<string> Models,
    [property: JsonPropertyName("started_utc")] DateTimeOffset StartedUtc,
    [property: JsonPropertyName("finished_utc")] DateTimeOffset FinishedUtc);

public static class ShardManifestIo
{
    private static readonly JsonSerializerOptions Options = CreateOptions();

    public static string Serialize(ShardManifest manifest) => JsonSerializer.Serialize(manifest, Options);

    /// <exception cref="JsonException">Malformed JSON or a missing required member.</exception>
    public static ShardManifest Deserialize(string json)
        => JsonSerializer.Deserialize<ShardManifest>(json, Options)
           ?? throw new JsonException("Shard manifest is JSON null.");

    /// <summary>The manifest hash format: XxHash64 of <paramref name="content"/> as 16 lower-case hex digits.</summary>
    public static string HashHex(ReadOnlySpan<byte> content) => XxHash64.HashToUInt64(content).ToString("x16");

    /// <summary>Hashes a stream from its current position to the end; returns the hash and the byte count,
    /// so a manifest entry can be built from the stored file without a second read.</summary>
    public static async Task<(string Hash, long Bytes)> HashAsync(Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var hash = new XxHash64();
        var buffer = new byte[1 << 16];
        long total = 0;
        int read;
        while ((read = await content.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            hash.Append(buffer.AsSpan(0, read));
            total += read;
        }
        return (hash.GetCurrentHashAsUInt64().ToString("x16"), total);
    }

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions
        {
            WriteIndented = true,
            RespectNullableAnnotations = true,
            RespectRequiredConstructorParameters = true,
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
