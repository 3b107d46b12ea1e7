using System.Collections.Immutable;
using RobustCrop.Cluster.Protocol;
using RobustCrop.Core.Data;
using RobustCrop.Core.Results;

namespace RobustCrop.Coordinator.Cluster;

/// <summary>The shards still to run, after skipping those whose manifest exists (a resumed run).</summary>
public sealed record JobPlan(string Dataset, ImmutableArray<DatasetShard> ToDo, int SkippedShards, long SkippedInputs, long TotalInputs, int Models);

/// <summary>Ends of a job: success with its summary, or the one-line reason it could not complete.</summary>
public sealed record JobOutcome(RunSummary? Summary, string? FailureReason)
{
    public bool Succeeded => FailureReason is null;
}

/// <summary>
/// The coordinator's I/O, outside the actor so the scheduling logic can run against simulated shards (bench-cluster)
/// and so nothing slow runs on its mailbox: both calls are awaited off it and piped back.
/// </summary>
public interface IJobBackend
{
    Task<JobPlan> PlanAsync(CancellationToken ct);

    /// <summary>
    /// Whether a shard a worker reported done is done in the job's store: null when its manifest and every file it lists
    /// are there and the manifest agrees with the report, else the one-line problem.
    /// </summary>
    Task<string?> VerifyAsync(WorkProtocol.ManifestSummary reported, CancellationToken ct);

    /// <param name="devices">Model id → device the workers reported, for the summary.</param>
    Task<RunSummary?> CompleteAsync(IReadOnlyDictionary<string, string> devices, CancellationToken ct);
}
