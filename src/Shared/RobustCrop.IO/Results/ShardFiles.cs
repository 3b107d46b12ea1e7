using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using RobustCrop.Core.Data;
using RobustCrop.Core.Models;
using RobustCrop.Core.Results;
using RobustCrop.Core.Settings;
using RobustCrop.IO.Storage;

namespace RobustCrop.IO.Results;

/// <summary>A model as a shard's files describe it: its zoo entry, where it ran and the length of its output vector.</summary>
public sealed record ShardModel(ModelManifest Manifest, string Device, int VectorDimension)
{
    public string Id => Manifest.Id;
}

/// <summary>What produced a shard's rows: recorded in the files' metadata and in the manifest.</summary>
/// <param name="Worker">The worker that ran the shard.</param>
/// <param name="OnnxRuntimeVersion">The inference runtime's version (the worker knows it; this library does not load it).</param>
public sealed record ShardOrigin(IReadOnlyList<ShardModel> Models, RunSettings Settings, string Worker, string? OnnxRuntimeVersion)
{
    /// <summary>The dataset name, written into every images file's metadata (<see cref="ResultMetadataKeys.Dataset"/>)
    /// so that <c>aggregate</c> can rebuild summary.json from the files alone.</summary>
    public string? Dataset { get; init; }

    /// <summary>The prediction mode of a <c>predict</c> run ("standard", "rics", "rics-cyclic"); null for an evaluation.</summary>
    public string? PredictionMode { get; init; }
}

/// <summary>
/// The one owner of a run's shard files. A shard's Parquet files are written under fixed names, then its manifest last:
/// a shard is done exactly when its manifest exists, and re-running it overwrites the same files, so duplicate
/// execution can never duplicate rows (DESIGN §7). Reading manifests back — to skip done shards, to verify a worker's
/// report, to account for every input before <c>_SUCCESS</c> — goes through here too.
/// </summary>
public sealed class ShardFiles(IResultStore store, RunLayout layout)
{
    /// <summary>The key the prediction mode is stored under in a predictions file's metadata.</summary>
    public const string ModeMetadataKey = "robustcrop.mode";

    public static string Version { get; } = typeof(ShardFiles).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    public RunLayout Layout => layout;

    /// <summary>Writes every file of <paramref name="result"/>, then its manifest; returns the manifest.</summary>
    /// <param name="source">Human-readable description of the shard's input (<see cref="Source"/>).</param>
    public async Task<ShardManifest> WriteAsync(ShardResult result, ShardOrigin origin, string source, DateTimeOffset started, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(origin);
        var files = new List<ManifestFile>();
        int shard = result.Shard.Value; // the layout and the manifest number shards; the pipeline keeps the typed id
        foreach (var m in origin.Models)
        {
            var meta = Metadata(m, origin.Settings);
            if (result.Images.TryGetValue(m.Id, out var images))
            {
                var imageMeta = new Dictionary<string, string>(meta) { [ResultMetadataKeys.Device] = m.Device };
                if (origin.Dataset is not null) imageMeta[ResultMetadataKeys.Dataset] = origin.Dataset;
                files.Add(await WriteFileAsync(layout.ImagesPart(m.Id, shard), images.Count,
                    s => ResultParquet.WritePartitionRowsAsync(s, m.Id, images, r => r.Model, imageMeta, ct), ct));
                var crops = result.Crops[m.Id];
                files.Add(await WriteFileAsync(layout.CropsPart(m.Id, shard), crops.Count,
                    s => ResultParquet.WritePartitionRowsAsync(s, m.Id, crops, r => r.Model, meta, ct), ct));
                if (origin.Settings.Rics.Any)
                {
                    var rics = result.Rics[m.Id];
                    files.Add(await WriteFileAsync(layout.RicsPart(m.Id, shard), rics.Count,
                        s => ResultParquet.WritePartitionRowsAsync(s, m.Id, rics, r => r.Model, meta, ct), ct));
                }
                if (origin.Settings.Motion.Length > 0 && result.Motion.TryGetValue(m.Id, out var motion))
                    files.Add(await WriteFileAsync(layout.MotionPart(m.Id, shard), motion.Count,
                        s => ResultParquet.WritePartitionRowsAsync(s, m.Id, motion, r => r.Model, meta, ct), ct));
            }
            if (result.Predictions.TryGetValue(m.Id, out var predictions))
            {
                // One model per predict run: its rows are not partitioned by model.
                var predictionMeta = new Dictionary<string, string>(meta) { [ResultMetadataKeys.Device] = m.Device };
                if (origin.PredictionMode is { } mode) predictionMeta[ModeMetadataKey] = mode;
                files.Add(await WriteFileAsync(layout.PredictionsPart(shard), predictions.Count,
                    s => ResultParquet.WriteRowsAsync(s, predictions, predictionMeta, ct), ct));
            }
        }
        var errorMeta = new Dictionary<string, string>
        {
            [ResultMetadataKeys.RunId] = layout.RunId,
            [ResultMetadataKeys.RobustCropVersion] = Version,
        };
        if (origin.PredictionMode is { } predictionMode) errorMeta[ModeMetadataKey] = predictionMode;
        files.Add(await WriteFileAsync(layout.ErrorsPart(shard), result.Errors.Count,
            s => ResultParquet.WriteErrorRowsAsync(s, result.Errors, errorMeta, ct), ct));
        var manifest = new ShardManifest(
            layout.RunId, shard, source,
            Images: result.Inputs - result.Errors.Count,
            Errors: result.Errors.Count,
            files, origin.Worker, Version, origin.OnnxRuntimeVersion,
            origin.Models.Select(m => m.Id).ToList(), started, DateTimeOffset.UtcNow);
        await store.WriteTextAsync(layout.ShardManifest(shard), ShardManifestIo.Serialize(manifest), ct);
        return manifest;
    }

    /// <summary>"dataset:source[start+count]", the <see cref="ShardManifest.Source"/> of a shard.</summary>
    public static string Source(string dataset, DatasetShard shard)
        => string.Create(CultureInfo.InvariantCulture, $"{dataset}:{shard.Source}[{shard.Start}+{shard.Count}]");

    /// <summary>The manifest of a shard that is done, or null.</summary>
    /// <exception cref="InvalidDataException">The manifest exists but does not parse.</exception>
    public async Task<ShardManifest?> TryReadAsync(int shard, CancellationToken ct)
    {
        // One request, not an existence check and then a read: this runs per shard at verification and at the end.
        try
        {
            return await ReadAsync(layout.ShardManifest(shard), ct).ConfigureAwait(false);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    /// <summary>The planned shards still to run, and the manifests of those already done (a resumed run skips them).</summary>
    public async Task<(ImmutableArray<DatasetShard> ToDo, ImmutableArray<ShardManifest> Done)> SplitDoneAsync(IReadOnlyList<DatasetShard> shards,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(shards);
        // One listing, then reads of the manifests it names only, ManifestReadParallelism at a time: a fresh run asked
        // storage once per shard, one after another, before the first lease (3,907 round trips at a million images).
        var listed = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var path in store.ListAsync(layout.ManifestsDir, ct).ConfigureAwait(false)) listed.Add(path);
        var manifests = new ShardManifest?[shards.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, shards.Count).Where(i => listed.Contains(layout.ShardManifest(shards[i].Id.Value))),
            new ParallelOptions { MaxDegreeOfParallelism = ManifestReadParallelism, CancellationToken = ct },
            async (i, token) => manifests[i] = await TryReadAsync(shards[i].Id.Value, token).ConfigureAwait(false)).ConfigureAwait(false);
        var todo = ImmutableArray.CreateBuilder<DatasetShard>();
        var done = ImmutableArray.CreateBuilder<ShardManifest>();
        for (int i = 0; i < shards.Count; i++)
        {
            if (manifests[i] is { } manifest) done.Add(manifest);
            else todo.Add(shards[i]);
        }
        return (todo.ToImmutable(), done.ToImmutable());
    }

    /// <summary>Every manifest of the run, one per shard; those numbered at or past <paramref name="plannedShards"/> are ignored.</summary>
    public async Task<ImmutableArray<ShardManifest>> ReadAllAsync(int? plannedShards, CancellationToken ct)
    {
        var done = ImmutableArray.CreateBuilder<ShardManifest>();
        var seen = new HashSet<int>();
        await foreach (var path in store.ListAsync(layout.ManifestsDir, ct).ConfigureAwait(false))
        {
            if (!path.EndsWith(".json", StringComparison.Ordinal)) continue;
            var manifest = await ReadAsync(path, ct).ConfigureAwait(false);
            if (plannedShards is int n && manifest.Shard >= n) continue;
            if (seen.Add(manifest.Shard)) done.Add(manifest);
        }
        return done.ToImmutable();
    }

    /// <summary>
    /// Checks a worker's report of a finished shard against the run's store: the manifest is there, agrees with the
    /// report and every file it lists exists. Returns the one line naming the first disagreement, or null.
    /// </summary>
    public async Task<string?> VerifyAsync(ShardId shard, long images, long errors, int fileCount, CancellationToken ct)
    {
        var where = $"{store.Describe()} (run {layout.RunId})";
        if (await TryReadAsync(shard.Value, ct).ConfigureAwait(false) is not { } manifest)
            return $"shard {shard} was reported done but its manifest is not in the job's store {where}: this worker writes somewhere else (another mount, machine or --out?)";
        if (manifest.Images != images || manifest.Errors != errors || manifest.Files.Count != fileCount)
            return string.Create(CultureInfo.InvariantCulture,
                $"shard {shard}: the job's store {where} holds a manifest of {manifest.Images} images, {manifest.Errors} errors, {manifest.Files.Count} files, the worker reported {images}, {errors}, {fileCount}");
        // One round trip for all of them, not one after another: this runs for every shard the workers finish.
        var exists = await Task.WhenAll(manifest.Files.Select(f => store.ExistsAsync(f.Path, ct))).ConfigureAwait(false);
        for (int i = 0; i < exists.Length; i++)
            if (!exists[i])
                return $"shard {shard}: its manifest lists {manifest.Files[i].Path}, which is not in the job's store {where}";
        return null;
    }

    /// <summary>
    /// Success is earned: every planned shard has a manifest in the run's store, and each shard of known size (a whole tar
    /// included, whose samples planning counted) accounts for every one of its inputs (images + errors = inputs). Returns
    /// the inputs the manifests account for.
    /// </summary>
    /// <param name="plannedInputs">A shard's planned inputs (<c>IImageDataset.PlannedInputs</c>), null where unknown;
    /// by default its row count, when it has one.</param>
    /// <exception cref="InvalidOperationException">A shard without a manifest, or one that lost inputs: the run is not complete.</exception>
    public async Task<long> AccountForAsync(IReadOnlyList<DatasetShard> shards, CancellationToken ct,
        Func<DatasetShard, long?>? plannedInputs = null)
    {
        ArgumentNullException.ThrowIfNull(shards);
        // Read ManifestReadParallelism at a time: a run of a million images has thousands of shards, and reading their
        // manifests one after another made the end of a run wait out thousands of storage round trips.
        var manifests = new ShardManifest?[shards.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, shards.Count),
            new ParallelOptions { MaxDegreeOfParallelism = ManifestReadParallelism, CancellationToken = ct },
            async (i, token) => manifests[i] = await TryReadAsync(shards[i].Id.Value, token).ConfigureAwait(false)).ConfigureAwait(false);
        long accounted = 0;
        for (int i = 0; i < shards.Count; i++)
        {
            var shard = shards[i];
            var manifest = manifests[i]
                ?? throw new InvalidOperationException($"refusing to mark run {layout.RunId} complete: shard {shard.Id} has no manifest in {store.Describe()}");
            long inputs = manifest.Images + manifest.Errors;
            long? planned = plannedInputs is null ? (shard.Count >= 0 ? shard.Count : null) : plannedInputs(shard);
            if (planned is long p && inputs != p)
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                    $"refusing to mark run {layout.RunId} complete: shard {shard.Id} planned {p} inputs, its manifest accounts for {inputs} ({manifest.Images} images + {manifest.Errors} errors)"));
            accounted += inputs;
        }
        return accounted;
    }

    /// <summary>Manifests read at once by <see cref="AccountForAsync"/>.</summary>
    public const int ManifestReadParallelism = 16;

    /// <summary>The rows of a done shard of a <c>predict</c> run.</summary>
    public async Task<List<PredictionRow>> ReadPredictionsAsync(int shard, CancellationToken ct)
    {
        await using var stream = await store.OpenReadAsync(layout.PredictionsPart(shard), ct).ConfigureAwait(false);
        return await ResultParquet.ReadRowsAsync<PredictionRow>(stream, ct).ConfigureAwait(false);
    }

    /// <summary>Writes <c>_SUCCESS</c>: the run is complete (call after <see cref="AccountForAsync"/>).</summary>
    public Task MarkSuccessAsync(CancellationToken ct) => store.WriteAsync(layout.Success, _ => Task.CompletedTask, ct);

    private async Task<ShardManifest> ReadAsync(string path, CancellationToken ct)
    {
        try
        {
            return ShardManifestIo.Deserialize(await store.ReadTextAsync(path, ct).ConfigureAwait(false));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"unreadable shard manifest {path}: {e.Message}", e);
        }
    }

    private Dictionary<string, string> Metadata(ShardModel m, RunSettings settings) => new()
    {
        [ResultMetadataKeys.RunId] = layout.RunId,
        [ResultMetadataKeys.Model] = m.Id,
        [ResultMetadataKeys.EmbeddingDimension] = m.VectorDimension.ToString(CultureInfo.InvariantCulture),
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
        [RunAggregator.TauMetadataKey] = settings.Tau.ToString("R", CultureInfo.InvariantCulture),
        [RunAggregator.TausMetadataKey] = string.Join(',', settings.Taus.Select(t => t.ToString("R", CultureInfo.InvariantCulture))),
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
