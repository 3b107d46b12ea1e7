using RobustCrop.Cluster.Protocol;
using RobustCrop.Worker.Inference;
using RobustCrop.Worker.Pipeline;

namespace RobustCrop.Worker.Cluster;

/// <summary>How one worker actor behaves: its slots, device, and the timings of its retries and renewals.</summary>
/// <param name="Note">Where one-line notices go (a CUDA fallback): stderr of a worker process, the run's progress output in-process.</param>
public sealed record WorkerSettings(
    WorkerId Id,
    int Capacity,
    string Device,
    int Threads,
    string BuiltinModelsDir,
    Action<string> Note)
{
    /// <summary>Resend interval for requests and completions that got no answer (lost when a node was removed).</summary>
    public TimeSpan RetryInterval { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan RenewInterval { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The clock of the protocol's resends (a fake one in tests).</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>
    /// Connection string of an az:// output, known only to this process (a flag of the embedded run, or
    /// AZURE_STORAGE_CONNECTION_STRING when null): secrets never travel in cluster messages.
    /// </summary>
    public string? ConnectionString { get; init; }

    public IO.Storage.AzureBlobStoreOptions? StorageOptions { get; init; }

    /// <summary>Models shared by the workers of this process (one session per model, device and threads); each worker
    /// loads its own when null.</summary>
    public SharedModels<SharedModelKey, EvaluatedModel>? SharedModels { get; init; }

    /// <summary>How this worker runs its pipeline on this machine (decode threads); never part of the job.</summary>
    public PipelineOptions Pipeline { get; init; } = PipelineOptions.Default;

    /// <summary>The process's /metrics figures; none when null.</summary>
    public Observability.WorkerMetrics? Metrics { get; init; }

    // Records print their members; the connection string must never reach a log line.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append($"Id = {Id}, Capacity = {Capacity}, Device = {Device}, Threads = {Threads}, DecodeThreads = {Pipeline.DecodeThreads}");
        return true;
    }
}
