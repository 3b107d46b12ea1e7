using RobustCrop.Cluster;

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
}
