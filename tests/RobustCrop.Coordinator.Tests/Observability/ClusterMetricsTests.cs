using System.Text;
using Microsoft.Extensions.Time.Testing;
using Prometheus;
using RobustCrop.Cluster.Protocol;
using RobustCrop.Coordinator.Cluster;
using RobustCrop.Coordinator.Observability;
using RobustCrop.Coordinator.Scheduling;
using RobustCrop.Core.Settings;

namespace RobustCrop.Coordinator.Tests.Observability;

public sealed class ClusterMetricsTests
{
    private static readonly RunId Run = new("metrics-test");
    private static readonly SchedulerCounts Counts = new(10, 2, 1, 7, 2, 3, 0);

    private static JobStatus Status(params string[] workers) => new(Run, new ClusterSnapshot(Counts, new Dictionary<RequeueReason, long>(),
        [.. workers.Select(w => new WorkerRate(w, 1, 1, 10, 100, 2.5))], DateTimeOffset.UnixEpoch));

    private static async Task<string> ExportAsync(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    [Fact]
    public async Task A_workers_label_series_go_when_it_leaves_is_refused_or_drops_out_of_the_status()
    {
        var metrics = new ClusterMetrics(Run, new FakeTimeProvider());
        metrics.On(Status("gpu-a", "gpu-b", "gpu-c"));
        var all = await ExportAsync(metrics.Registry);
        foreach (var w in new[] { "gpu-a", "gpu-b", "gpu-c" }) Assert.Contains($"robustcrop_worker_images{{worker=\"{w}\"}} 10", all);

        metrics.On(new JobSchedulingEvent(Run, new WorkerLeft(new WorkerId("gpu-a"), "worker-removed")));
        metrics.On(new JobSchedulingEvent(Run, new WorkerRefused(new WorkerId("gpu-b"), "cannot run the job")));
        var after = await ExportAsync(metrics.Registry);
        Assert.DoesNotContain("worker=\"gpu-a\"", after);
        Assert.DoesNotContain("worker=\"gpu-b\"", after);
        Assert.Contains("robustcrop_worker_images_per_second{worker=\"gpu-c\"} 2.5", after);

        metrics.On(Status());
        Assert.DoesNotContain("worker=\"gpu-c\"", await ExportAsync(metrics.Registry));
    }
}
