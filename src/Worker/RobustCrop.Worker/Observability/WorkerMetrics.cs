using Prometheus;
using RobustCrop.Core.Results;
using RobustCrop.Worker.Pipeline;

namespace RobustCrop.Worker.Observability;

/// <summary>
/// A worker process's figures for its <c>/metrics</c>: shards, images, crops, error rows by stage, inference batch
/// latency per model and storage retries, in a registry of its own (never prometheus-net's static one). Updated from
/// shard and inference threads: prometheus-net's collectors are thread-safe.
/// </summary>
public sealed class WorkerMetrics
{
    private readonly Counter _shards;
    private readonly Counter _images;
    private readonly Counter _crops;
    private readonly Counter _errors;
    private readonly Counter _storageRetries;
    private readonly Histogram _batchSeconds;

    public WorkerMetrics()
    {
        var f = Metrics.WithCustomRegistry(Registry);
        _shards = f.CreateCounter("robustcrop_worker_shards_total", "Shards this worker ran, by outcome (written, failed)", "outcome");
        _images = f.CreateCounter("robustcrop_worker_images_total", "Inputs of written shards that gave images rows");
        _crops = f.CreateCounter("robustcrop_worker_crops_total", "Crops inferred in written shards");
        _errors = f.CreateCounter("robustcrop_worker_input_errors_total", "Inputs that gave error rows, by stage (read, decode, …)", "stage");
        _storageRetries = f.CreateCounter("robustcrop_storage_retries_total", "Retried storage requests (transient failures)");
        // 0.5 ms to ~16 s: a tiny CPU model's batch to a large model's batch on a slow device.
        _batchSeconds = f.CreateHistogram("robustcrop_inference_batch_seconds", "Wall time of one inference call (one batch of crops), by model",
            new HistogramConfiguration { LabelNames = ["model"], Buckets = Histogram.ExponentialBuckets(0.0005, 2, 16) });
    }

    public CollectorRegistry Registry { get; } = Metrics.NewCustomRegistry();

    public void ShardWritten(ShardResult result)
    {
        _shards.WithLabels("written").Inc();
        _images.Inc(result.Inputs - result.Errors.Count);
        _crops.Inc(result.CropsInferred);
        foreach (var stage in result.Errors.GroupBy(e => e.Stage)) _errors.WithLabels(stage.Key).Inc(stage.Count());
    }

    public void ShardFailed() => _shards.WithLabels("failed").Inc();

    public void StorageRetry() => _storageRetries.Inc();

    public void Batch(string model, double seconds) => _batchSeconds.WithLabels(model).Observe(seconds);
}
