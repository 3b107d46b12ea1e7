using System.Text.Json;
using RobustCrop.Core.Results;
using RobustCrop.Core.Settings;
using RobustCrop.IO.Results;
using RobustCrop.IO.Storage;
using RobustCrop.Worker.Pipeline;

namespace RobustCrop.Worker.Sinks;

/// <summary>
/// Writes a finished shard under fixed names, then its manifest last: a shard is done exactly when its manifest exists,
/// and re-running it overwrites the same files, so duplicate execution can never duplicate rows (DESIGN §7).
/// </summary>
/// <param name="dataset">The dataset name, written into every images file's metadata (<see cref="ResultMetadataKeys.Dataset"/>)
/// so that <c>aggregate</c> can rebuild summary.json from the files alone.</param>
public sealed class ShardWriter(IResultStore store, RunLayout layout, IReadOnlyList<EvaluatedModel> models, string worker, RunSettings settings,
    string? dataset = null)
{
    public static string Version { get; } =
        typeof(ShardWriter).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    public async Task<ShardManifest> WriteAsync(ShardResult result, string source, DateTimeOffset started, CancellationToken ct)
    {
        var files = new List<ManifestFile>();
        int shard = result.Shard.Value; // the layout and the manifest number shards; the pipeline keeps the typed id
        foreach (var m in models)
        {
            var meta = Metadata(m);
            var imageMeta = new Dictionary<string, string>(meta) { [ResultMetadataKeys.Device] = m.Device };
            if (dataset is not null) imageMeta[ResultMetadataKeys.Dataset] = dataset;
            files.Add(await WriteFileAsync(layout.ImagesPart(m.Id, shard), result.Images[m.Id].Count,
                s => ResultParquet.WritePartitionRowsAsync(s, m.Id, result.Images[m.Id], r => r.Model, imageMeta, ct), ct));
            files.Add(await WriteFileAsync(layout.CropsPart(m.Id, shard), result.Crops[m.Id].Count,
                s => ResultParquet.WritePartitionRowsAsync(s, m.Id, result.Crops[m.Id], r => r.Model, meta, ct), ct));
            if (settings.Rics.Any)
                files.Add(await WriteFileAsync(layout.RicsPart(m.Id, shard), result.Rics[m.Id].Count,
                    s => ResultParquet.WritePartitionRowsAsync(s, m.Id, result.Rics[m.Id], r => r.Model, meta, ct), ct));
        }
        var errorMeta = new Dictionary<string, string>
        {
            [ResultMetadataKeys.RunId] = layout.RunId,
            [ResultMetadataKeys.RobustCropVersion] = Version,
        };
        files.Add(await WriteFileAsync(layout.ErrorsPart(shard), result.Errors.Count,
            s => ResultParquet.WriteErrorRowsAsync(s, result.Errors, errorMeta, ct), ct));
        var manifest = new ShardManifest(
            layout.RunId, shard, source,
            Images: result.Inputs - result.Errors.Count,
            Errors: result.Errors.Count,
            files, worker, Version, OnnxRuntimeVersion,
            models.Select(m => m.Id).ToList(), started, DateTimeOffset.UtcNow);
        string json = ShardManifestIo.Serialize(manifest);
        await store.WriteTextAsync(layout.ShardManifest(shard), json, ct);
        return manifest;
    }

    /// <summary>The manifest of a shard that is already done, or null.</summary>
    public static async Task<ShardManifest?> TryReadManifestAsync(IResultStore store, RunLayout layout, int shard, CancellationToken ct)
    {
        string path = layout.ShardManifest(shard);
        if (!await store.ExistsAsync(path, ct)) return null;
        return ShardManifestIo.Deserialize(await store.ReadTextAsync(path, ct));
    }

    private static string OnnxRuntimeVersion => typeof(Microsoft.ML.OnnxRuntime.InferenceSession).Assembly.GetName().Version?.ToString(3) ?? "unknown";

    private Dictionary<string, string> Metadata(EvaluatedModel m) => new()
    {
        [ResultMetadataKeys.RunId] = layout.RunId,
        [ResultMetadataKeys.Model] = m.Id,
        [ResultMetadataKeys.EmbeddingDimension] = m.Interpreter.VectorDimension.ToString(System.Globalization.CultureInfo.InvariantCulture),
        [ResultMetadataKeys.Preprocessing] = JsonSerializer.Serialize(new
        {
            input_size = m.Manifest.InputSize,
            resize_size = m.Manifest.ResizeSize,
            interpolation = m.Manifest.Interpolation.ToString().ToLowerInvariant(),
            channel_order = m.Manifest.ChannelOrder.ToString().ToLowerInvariant(),
            scale = m.Manifest.Scale,
            mean = m.Manifest.Mean,
            std = m.Manifest.Std,
            mean_image = m.Manifest.MeanImage is null ? null : Path.GetFileName(m.Manifest.MeanImage),
            lowpass_sigma = m.Manifest.LowPassSigma,
            layout = m.Manifest.InputLayout.ToString().ToLowerInvariant(),
            input_type = m.Manifest.InputType.ToString().ToLowerInvariant(),
            output_name = m.Manifest.OutputName,
            output_pool = m.Manifest.OutputPool.ToString().ToLowerInvariant(),
            embeddings_kept = settings.KeepEmbeddings,
        }),
        [ResultMetadataKeys.RobustCropVersion] = Version,
        [RunAggregator.TauMetadataKey] = settings.Tau.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        [RunAggregator.TausMetadataKey] = string.Join(',', settings.Taus.Select(t => t.ToString("R", System.Globalization.CultureInfo.InvariantCulture))),
    };

    private async Task<ManifestFile> WriteFileAsync(string path, int rows, Func<Stream, Task> write, CancellationToken ct)
    {
        // Buffer first: the manifest records each file's size and content hash, and the store commits the file whole.
        using var buffer = new MemoryStream();
        await write(buffer);
        buffer.Position = 0;
        var (hash, bytes) = await ShardManifestIo.HashAsync(buffer, ct);
        buffer.Position = 0;
        await store.WriteAsync(path, s => buffer.CopyToAsync(s, ct), ct);
        return new ManifestFile(path, rows, bytes, hash);
    }
}
