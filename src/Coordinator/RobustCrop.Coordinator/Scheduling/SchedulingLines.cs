using System.Globalization;

namespace RobustCrop.Coordinator.Scheduling;

/// <summary>The machine-readable log line of each <see cref="SchedulingEvent"/> ("key=value" after a fixed first word).</summary>
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
        ForeignSender f => $"foreign_sender worker={f.Worker} sender={f.Sender} (the id is bound to the member that registered it; its messages from elsewhere are ignored)",
        _ => e.ToString(),
    };

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
