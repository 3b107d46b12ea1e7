using RobustCrop.Cluster.Protocol;
using RobustCrop.Core.Data;
using RobustCrop.Core.Settings;

namespace RobustCrop.Coordinator.Scheduling;

/// <summary>Why a shard went back to the queue: a label of the re-queue counter and of the "requeued" event.</summary>
public enum RequeueReason
{
    /// <summary>The worker's node left or was downed.</summary>
    WorkerRemoved,
    /// <summary>Not renewed within the lease duration.</summary>
    LeaseExpired,
    /// <summary>The worker could not run it (counted towards the shard's attempts).</summary>
    Failed,
    /// <summary>Handed back unstarted or by a stopping worker (not counted as a failure).</summary>
    Released,
    /// <summary>Reported done, but its files are not in the job's store.</summary>
    Rejected,
}

/// <summary>What the scheduler decided that the world may want to know; the actor publishes each, the metrics count them.</summary>
public abstract record SchedulingEvent;

public sealed record WorkerJoined(WorkerId Worker, string Address) : SchedulingEvent;

public sealed record WorkerLeft(WorkerId Worker, string Reason) : SchedulingEvent;

public sealed record ShardRequeued(ShardId Shard, LeaseId Lease, WorkerId Worker, RequeueReason Reason, string? Detail) : SchedulingEvent;

public sealed record ShardDone(ShardId Shard, LeaseId Lease, WorkerId Worker, WorkProtocol.ManifestSummary Manifest) : SchedulingEvent;

public sealed record DuplicateCompletion(ShardId Shard, LeaseId Lease, WorkerId Worker) : SchedulingEvent;

public sealed record WorkerRefused(WorkerId Worker, string Reason) : SchedulingEvent;

/// <summary>A worker's progress report was impossible (negative, or more than the run holds): refused (said once per worker).</summary>
public sealed record ProgressRefused(WorkerId Worker, string Reason) : SchedulingEvent;

/// <summary>Every planned shard is verified: the run is being aggregated.</summary>
public sealed record AllShardsDone(int Shards) : SchedulingEvent;

/// <summary>The run is aggregated and marked complete.</summary>
public sealed record JobComplete(RunId RunId, int Shards) : SchedulingEvent;

/// <summary>A message under a worker id came from another sender than the one that registered the id: ignored (said once per id).</summary>
public sealed record ForeignSender(WorkerId Worker, string Sender) : SchedulingEvent;
