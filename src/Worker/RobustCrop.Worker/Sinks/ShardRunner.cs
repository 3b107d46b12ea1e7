using System.Diagnostics;
using RobustCrop.Core.Data;
using RobustCrop.Core.Results;
using RobustCrop.Core.Settings;
using RobustCrop.IO.Results;
using RobustCrop.Worker.Pipeline;

namespace RobustCrop.Worker.Sinks;

/// <summary>A shard run to its manifest: the rows it produced and the manifest that marks it done.</summary>
public sealed record ShardRun(ShardResult Result, ShardManifest Manifest);

/// <summary>
/// Runs one shard to its manifest, for every job that writes shards (evaluate's workers, predict, the benches): the
/// rows are computed on a thread of their own, then <see cref="ShardFiles"/> writes the files and the manifest last.
/// </summary>
public sealed class ShardRunner
{
    private readonly Func<DatasetShard, IEnumerable<ImageRecord>, Action<int, long>?, CancellationToken, ShardResult> _compute;
    private readonly ShardFiles _files;
    private readonly ShardOrigin _origin;
    private readonly StageTimes? _times;

    private ShardRunner(Func<DatasetShard, IEnumerable<ImageRecord>, Action<int, long>?, CancellationToken, ShardResult> compute,
        ShardFiles files, ShardOrigin origin, StageTimes? times)
    {
        _compute = compute;
        _files = files;
        _origin = origin;
        _times = times;
    }

    /// <summary>The inference runtime this worker runs, as a manifest records it.</summary>
    public static string OnnxRuntimeVersion { get; } =
        typeof(Microsoft.ML.OnnxRuntime.InferenceSession).Assembly.GetName().Version?.ToString(3) ?? "unknown";

    /// <summary>Evaluation: every model's images, crops and rics rows (<see cref="ShardEvaluator"/>).</summary>
    /// <param name="dataset">The dataset name, kept in the images files' metadata.</param>
    public static ShardRunner Evaluate(IReadOnlyList<EvaluatedModel> models, RunSettings settings, PipelineOptions? pipeline, ShardFiles files,
        string worker, string? dataset = null)
    {
        // An evaluator per shard, as a worker of capacity > 1 runs several shards of one runtime at once.
        return new ShardRunner((shard, records, onImage, ct) => new ShardEvaluator(models, settings, pipeline).Evaluate(shard, records, onImage, ct),
            files, Origin(models, settings, worker) with { Dataset = dataset }, pipeline?.Times);
    }

    /// <summary>Prediction: one row per input from the crop <paramref name="mode"/> selects (<see cref="RobustPredictor"/>).</summary>
    public static ShardRunner Predict(EvaluatedModel model, RunSettings settings, PredictionMode mode, ShardFiles files, string worker)
    {
        return new ShardRunner((shard, records, onImage, ct) => new RobustPredictor(model, settings, mode).Predict(shard, records, onImage, ct),
            files, Origin([model], settings, worker) with { PredictionMode = mode.Name }, null);
    }

    /// <param name="source">What the manifest names as the shard's input (<see cref="ShardFiles.Source"/>).</param>
    /// <param name="onImage">Called after each input is finished (for progress), with crops inferred so far.</param>
    public async Task<ShardRun> RunAsync(DatasetShard shard, IEnumerable<ImageRecord> records, string source, Action<int, long>? onImage,
        CancellationToken ct)
    {
        var started = DateTimeOffset.UtcNow;
        var result = await DedicatedThread.Run($"shard {shard.Id.Value}", () => _compute(shard, records, onImage, ct)).ConfigureAwait(false);
        long writeStarted = Stopwatch.GetTimestamp();
        // Not cancellable once writing starts: a shard's files and its manifest (last) are written as one unit, so a
        // worker that loses its lease mid-write never leaves a manifest that disagrees with the files beside it.
        var manifest = await _files.WriteAsync(result, _origin, source, started, CancellationToken.None).ConfigureAwait(false);
        _times?.Add(Stage.Write, writeStarted);
        return new ShardRun(result, manifest);
    }

    private static ShardOrigin Origin(IReadOnlyList<EvaluatedModel> models, RunSettings settings, string worker)
        => new([.. models.Select(m => new ShardModel(m.Manifest, m.Device, m.Interpreter.VectorDimension))], settings, worker, OnnxRuntimeVersion);
}
