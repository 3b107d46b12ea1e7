using System.Collections.Immutable;
using RobustCrop.Core.Data;
using RobustCrop.Core.Settings;

namespace RobustCrop.Cluster.Protocol;

/// <summary>
/// Workers pull shards from the job singleton. Every request carries a correlation id and is retried with the same id
/// until answered, so a message lost when a node is removed costs a retry, never a shard: the coordinator answers a
/// repeated request with the leases it already granted for it, and completions are acknowledged and retried.
/// </summary>
public static class WorkProtocol
{
    /// <summary>Sent until a <see cref="JobSpec"/> (or <see cref="WorkerRefused"/>) comes back.</summary>
    /// <param name="ProtocolVersion">The sender's <see cref="Protocol.ProtocolVersion.Current"/>; a worker of another version is refused.</param>
    public sealed record RegisterWorker(WorkerId Worker, int Capacity, string Device, int ProtocolVersion) : IClusterMessage;

    /// <summary>
    /// The coordinator will not take work from this worker (another protocol version, or its output is not in the job's
    /// store): the worker says why in one line and exits.
    /// </summary>
    public sealed record WorkerRefused(WorkerId Worker, string Reason) : IClusterMessage;

    /// <summary>"I have <paramref name="Capacity"/> free slots": answered by up to that many <see cref="ShardLease"/>s, <see cref="NoWorkYet"/> or <see cref="JobFinished"/>.</summary>
    public sealed record RequestWork(WorkerId Worker, int Capacity, Guid CorrelationId) : IClusterMessage;

    /// <summary>The worker owns <paramref name="Shard"/> until <paramref name="ExpiresUtc"/> unless it renews.</summary>
    public sealed record ShardLease(LeaseId Lease, ShardId ShardId, DatasetShard Shard, DateTimeOffset ExpiresUtc, Guid CorrelationId) : IClusterMessage;

    /// <summary>Nothing to lease now (plan not ready, or every remaining shard is leased): ask again after the delay.</summary>
    public sealed record NoWorkYet(Guid CorrelationId, TimeSpan RetryAfter) : IClusterMessage;

    /// <summary>
    /// The coordinator is stopping before the job ended (cancelled, or a rolling restart): its departure is not the end
    /// of the job, so workers rejoin and wait for it (or its successor with the same run id) to come back.
    /// </summary>
    public sealed record CoordinatorStopping(RunId RunId) : IClusterMessage;

    /// <summary>The run is complete (summary and _SUCCESS written): the worker leaves the cluster.</summary>
    /// <param name="RunId">The run; null only in a worker's own outcome when it was refused before it received any job.</param>
    public sealed record JobFinished(RunId? RunId, bool Succeeded, string? Reason) : IClusterMessage;

    public sealed record RenewLease(WorkerId Worker, ImmutableArray<LeaseId> Leases) : IClusterMessage;

    public sealed record LeaseRenewed(LeaseId Lease, DateTimeOffset ExpiresUtc) : IClusterMessage;

    /// <summary>The lease was re-queued (expired, or its worker was presumed gone): stop working on it.</summary>
    public sealed record LeaseLost(LeaseId Lease, string Reason) : IClusterMessage;

    /// <summary>What a shard's manifest says, enough for progress and for the summary's per-model facts.</summary>
    public sealed record ManifestSummary(ShardId Shard, long Images, long Errors, long Crops, int Files, ImmutableArray<ModelDevice> Devices, DateTimeOffset StartedUtc, DateTimeOffset FinishedUtc);

    public sealed record ModelDevice(string Model, string Device);

    /// <summary>Written (manifest last): retried until <see cref="CompletionAck"/>.</summary>
    public sealed record ShardCompleted(WorkerId Worker, LeaseId Lease, ManifestSummary Manifest) : IClusterMessage;

    /// <summary>Could not run the shard; retried until <see cref="CompletionAck"/>.</summary>
    public sealed record ShardFailed(WorkerId Worker, LeaseId Lease, ShardId ShardId, string Reason) : IClusterMessage;

    public sealed record CompletionAck(LeaseId Lease) : IClusterMessage;

    /// <summary>A lease the worker cannot take (it arrived after its slots filled): back to the queue, not counted as a failure.</summary>
    public sealed record ReleaseLease(WorkerId Worker, LeaseId Lease) : IClusterMessage;

    /// <summary>
    /// The worker cannot run the job at all (a model that does not load on its node): answered with <see cref="WorkerRefused"/>;
    /// the job goes on with the other workers (only an embedded run, whose workers share one machine, ends).
    /// </summary>
    public sealed record WorkerFailed(WorkerId Worker, string Reason) : IClusterMessage;
}

/// <summary>Running figures from workers, for the coordinator's progress line; losing one only makes a line stale.</summary>
public static class ProgressProtocol
{
    /// <summary>Cumulative totals of the worker since it started (not deltas), so a lost report loses nothing.</summary>
    public sealed record WorkerProgress(WorkerId Worker, long ImagesDone, long CropsDone, int Running, DateTimeOffset AtUtc) : IClusterMessage;
}
