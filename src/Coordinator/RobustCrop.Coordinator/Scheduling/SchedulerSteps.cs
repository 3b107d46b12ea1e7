using System.Collections.Immutable;
using RobustCrop.Cluster.Protocol;

namespace RobustCrop.Coordinator.Scheduling;

/// <summary>What to do with a worker's "shard done".</summary>
public enum CompletionStep
{
    /// <summary>First report for this shard: read its manifest and files from the job's store, then call <see cref="ShardScheduler.Verified"/> or <see cref="ShardScheduler.Rejected"/>.</summary>
    Verify,
    /// <summary>The shard is done already (fixed file names, manifest last: harmless); acknowledge.</summary>
    Duplicate,
    /// <summary>Another report of the shard is being verified: no answer, the worker resends and gets the verdict then.</summary>
    Pending,
}

/// <summary>What a failed shard does to the job.</summary>
public enum FailureStep
{
    /// <summary>The lease was no longer live (re-queued or done): nothing changes.</summary>
    Ignored,
    Requeued,
    /// <summary>
    /// The worker is refused from now on and its shards go back to the queue (it cannot run the job, or it alone failed a
    /// shard <see cref="CoordinatorSettings.MaxAttempts"/> times while other workers can try it): tell it so.
    /// </summary>
    WorkerRefused,
    /// <summary>The shard failed <see cref="CoordinatorSettings.MaxAttempts"/> times: the job fails with this reason.</summary>
    JobFails,
}

/// <summary>Whether a message that names a worker id is taken (see <see cref="ShardScheduler.Admit"/>).</summary>
public enum Admission
{
    Accepted,
    /// <summary>The id is bound to another member: the message is ignored, unanswered.</summary>
    Foreign,
    /// <summary>The id is not acceptable (its form, or the worker limit): answered with the refusal, nothing kept.</summary>
    Refused,
}

/// <summary>Totals for status lines and metrics.</summary>
public sealed record SchedulerCounts(int Total, int Done, int Leased, int Queued, int Workers, long LeasesGranted, int Verifying);

/// <summary>One worker as the scheduler knows it.</summary>
public sealed record WorkerView(WorkerId Id, string Address, int Leased, int ShardsDone);

/// <summary>A scheduler call's answer and the events it made, oldest first: the caller publishes them, nobody drains a list.</summary>
public readonly record struct Decision<T>(T Value, ImmutableArray<SchedulingEvent> Events);
