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

    [Fact]
    public void The_status_counts_the_images_of_running_shards_before_any_shard_is_done()
    {
        var metrics = new ClusterMetrics(Run, new FakeTimeProvider());
        // One shard of 1,000 inputs, none skipped: before it ends, only the workers' progress reports say how far it is.
        metrics.On(new JobPlanned(Run, new JobPlan("fmnist", [], 0, 0, 1_000, 2)));
        metrics.On(new JobStatus(Run, new ClusterSnapshot(new SchedulerCounts(1, 0, 1, 0, 1, 1, 0), new Dictionary<RequeueReason, long>(),
            [new WorkerRate("cpu-a", 0, 1, 250, 8_750, 25)], DateTimeOffset.UnixEpoch)));
        metrics.On(new JobProgress(Run, 250, 8_750));

        var s = metrics.Status;
        Assert.Equal(0, s.ShardsDone);
        Assert.Equal(0, s.DoneInputs);
        Assert.Equal(250, s.InputsSoFar);
        Assert.Equal(0.25, s.Fraction);
        Assert.Equal(TimeSpan.FromSeconds(750 / 25.0), s.Eta);
        string html = StatusPage.Render(s);
        Assert.Contains("<b>250 / 1000</b>inputs", html);
        Assert.Contains("width:25.0%", html);
    }
}
