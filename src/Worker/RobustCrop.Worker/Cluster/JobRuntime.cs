using System.Collections.Immutable;
using RobustCrop.Cluster.Protocol;
using RobustCrop.Core.Data;
using RobustCrop.Core.Models;
using RobustCrop.Core.Results;
using RobustCrop.Core.Settings;
using RobustCrop.IO.Data;
using RobustCrop.IO.Models;
using RobustCrop.IO.Results;
using RobustCrop.IO.Storage;
using RobustCrop.Worker.Inference;
using RobustCrop.Worker.Observability;
using RobustCrop.Worker.Pipeline;
using RobustCrop.Worker.Sinks;

namespace RobustCrop.Worker.Cluster;

/// <summary>What a worker builds once from a <see cref="JobSpec"/>: the loaded models, the dataset and the result store.</summary>
public sealed class JobRuntime : IDisposable
{
    private readonly WorkerMetrics? _metrics;

    // What this runtime must let go of: its own models, or its holds on models shared with the process's other workers.
    private readonly IReadOnlyList<IDisposable> _held;

    private readonly ShardRunner _runner;

    private JobRuntime(RunSettings settings, IImageDataset dataset, IReadOnlyList<EvaluatedModel> models, ShardRunner runner, WorkerMetrics? metrics,
        IReadOnlyList<IDisposable> held)
    {
        _metrics = metrics;
        _runner = runner;
        _held = held;
        Settings = settings;
        Dataset = dataset;
        Models = models;
    }

    /// <summary>The run, exactly as the coordinator's command line bound it: the pipeline reads it as it is.</summary>
    public RunSettings Settings { get; }
    public IImageDataset Dataset { get; }
    public IReadOnlyList<EvaluatedModel> Models { get; }

    /// <summary>Blocking (model loading takes seconds): callers run it off any actor's mailbox.</summary>
    public static JobRuntime Load(JobSpec spec, WorkerSettings worker)
    {
        var settings = spec.Run;
        var dataset = DatasetFactory.Open(settings.Data, worker.ConnectionString);
        var storage = worker.Metrics is { } counting ? (worker.StorageOptions ?? AzureBlobStoreOptions.Default) with { OnRetry = counting.StorageRetry } : worker.StorageOptions;
        var store = StoreFactory.Open(settings.Out, worker.ConnectionString, storage);
        var manifests = ZooSelection.Select(ZooFile.Load(settings.ZooPath, worker.BuiltinModelsDir), settings.ModelIds.IsDefaultOrEmpty ? null : settings.ModelIds, settings.ZooPath);
        var device = DeviceSpec.Parse(worker.Device);
        bool auto = settings.Batch == RunSettings.AutoBatch;
        var models = new List<EvaluatedModel>();
        var held = new List<IDisposable>();
        // A CUDA fallback is said once: the same reason for every model of the zoo, and nothing again where a model comes
        // from the session another worker of this process opened (its loader said it).
        var said = new HashSet<string>(StringComparer.Ordinal);
        EvaluatedModel LoadSaying(ModelManifest m)
        {
            var model = ModelLoader.Load(m, device, worker.Threads, auto, worker.Note);
            if (model.Inference is OnnxSession { FallbackReason: { } why } && said.Add(why)) worker.Note(why);
            return model;
        }
        try
        {
            foreach (var m in manifests)
            {
                EvaluatedModel loaded;
                if (worker.SharedModels is { } shared)
                {
                    var handle = shared.Acquire(new SharedModelKey(m, device, worker.Threads), () => LoadSaying(m));
                    held.Add(handle);
                    loaded = handle.Value;
                }
                else
                {
                    loaded = LoadSaying(m);
                    held.Add(loaded);
                }
                models.Add(worker.Metrics is { } metrics
                    ? new EvaluatedModel(loaded.Manifest, new TimedInference(loaded.Inference, loaded.Id, metrics), loaded.Normalization, loaded.Interpreter, loaded.Device)
                    : loaded);
            }
        }
        catch
        {
            foreach (var h in held) h.Dispose();
            throw;
        }
        var runner = ShardRunner.Evaluate(models, settings, worker.Pipeline, new ShardFiles(store, new RunLayout(settings.RunId.Value)), worker.Id.Value, dataset.Name);
        return new JobRuntime(settings, dataset, models, runner, worker.Metrics, held);
    }

    /// <summary>Runs one shard to its manifest: inference on a dedicated thread, the writes as async I/O (<see cref="ShardRunner"/>).</summary>
    public async Task<WorkProtocol.ManifestSummary> RunShardAsync(DatasetShard shard, Action<int, long> onImage, CancellationToken ct)
    {
        var (result, manifest) = await _runner.RunAsync(shard, Dataset.ReadShard(shard), ShardFiles.Source(Dataset.Name, shard), onImage, ct)
            .ConfigureAwait(false);
        _metrics?.ShardWritten(result);
        return new WorkProtocol.ManifestSummary(shard.Id, manifest.Images, manifest.Errors, result.CropsInferred, manifest.Files.Count,
            [.. Models.Select(m => new WorkProtocol.ModelDevice(m.Id, m.Device))], manifest.StartedUtc, manifest.FinishedUtc);
    }

    public void Dispose()
    {
        // Not Models: a metrics wrapper around a shared model must not dispose the session the other workers still run.
        foreach (var h in _held) h.Dispose();
    }
}
