using System.Collections.Immutable;
using System.Globalization;

namespace RobustCrop.Coordinator.Scheduling;

/// <summary>
/// The machine-readable lines of the job ("key=value" after a fixed first word), rendered at the edge (the console, the
/// log, the status page) from the events and snapshots the singleton publishes.
/// </summary>
public static class SchedulingLines
{
    public static string Format(SchedulingEvent e) => e switch
    {
        WorkerJoined j => $"worker_joined worker={j.Worker} address={j.Address}",
        WorkerLeft l => $"worker_left worker={l.Worker} reason={l.Reason}",
        ShardRequeued r => $"requeued shard={r.Shard} lease={r.Lease} worker={r.Worker} reason={Label(r.Reason)}{(r.Detail is { } d ? ": " + d : "")}",
        ShardDone d => string.Create(CultureInfo.InvariantCulture,
            $"shard_done shard={d.Shard} lease={d.Lease} worker={d.Worker} images={d.Manifest.Images} errors={d.Manifest.Errors} crops={d.Manifest.Crops} seconds={(d.Manifest.FinishedUtc - d.Manifest.StartedUtc).TotalSeconds:F2}"),
        DuplicateCompletion d => $"duplicate_completion shard={d.Shard} lease={d.Lease} worker={d.Worker} (harmless: fixed names, manifest last)",
        WorkerRefused r => $"worker_refused worker={r.Worker} reason={r.Reason}",
        ProgressRefused p => $"progress_refused worker={p.Worker} reason={p.Reason}",
        AllShardsDone a => $"cluster all_shards_done={a.Shards} aggregating",
        JobComplete c => $"cluster job_complete run_id={c.RunId} shards={c.Shards}",
        ForeignSender f => $"foreign_sender worker={f.Worker} sender={f.Sender} (the id is bound to the member that registered it; its messages from elsewhere are ignored)",
        _ => e.ToString(),
    };

    /// <summary>The periodic status lines of a snapshot: "cluster …" first, then one "cluster_worker …" per worker.</summary>
    public static ImmutableArray<string> Status(ClusterSnapshot s)
    {
        var c = s.Counts;
        var lines = ImmutableArray.CreateBuilder<string>(s.Workers.Length + 1);
        lines.Add(string.Create(CultureInfo.InvariantCulture,
            $"cluster shards_done={c.Done} shards_total={(s.Planned ? c.Total.ToString(CultureInfo.InvariantCulture) : "?")} leased={c.Leased} queued={c.Queued} workers={c.Workers} images_per_s={s.ImagesPerSecond:F1} leases_granted={c.LeasesGranted}"));
        foreach (var w in s.Workers)
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"cluster_worker worker={w.Worker} shards_done={w.ShardsDone} leased={w.Leased} images={w.Images} images_per_s={w.ImagesPerSecond:F1}"));
        return lines.MoveToImmutable();
    }

    /// <summary>The label of a re-queue reason in lines and metrics: kebab-case, stable.</summary>
    public static string Label(RequeueReason reason) => reason switch
    {
        RequeueReason.WorkerRemoved => "worker-removed",
        RequeueReason.LeaseExpired => "lease-expired",
        RequeueReason.Failed => "failed",
        RequeueReason.Released => "released",
        RequeueReason.Rejected => "rejected",
        _ => reason.ToString(),
    };
}
