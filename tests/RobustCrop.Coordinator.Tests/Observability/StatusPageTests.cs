using RobustCrop.Coordinator.Cluster;
using RobustCrop.Coordinator.Scheduling;
using RobustCrop.Coordinator.Observability;

namespace RobustCrop.Coordinator.Tests.Observability;

public sealed class StatusPageTests
{
    public static readonly StatusModel Sample = new("night-1", "laion-subset", null,
        [new WorkerRate("gpu-a-17-3f2a1b", 40, 2, 10_240, 358_400, 51.26), new WorkerRate("gpu-b-9-77aa00", 38, 1, 9_728, 340_480, 48.75)],
        ShardsTotal: 400, ShardsDone: 78, Leased: 3, Queued: 319, TotalInputs: 102_400, DoneInputs: 19_968,
        StartedUtc: new DateTimeOffset(2026, 12, 2, 1, 0, 0, TimeSpan.Zero), AtUtc: new DateTimeOffset(2026, 12, 2, 1, 7, 0, TimeSpan.Zero),
        Latest: ["01:05:00 requeued shard=00017 lease=40 worker=gpu-c reason=worker-removed", "01:05:00 worker_left worker=gpu-c reason=worker-removed"])
    {
        ImagesPerSecond = 100,
    };

    [Fact]
    public void Eta_is_the_inputs_left_over_the_current_rate()
    {
        Assert.Equal(TimeSpan.FromSeconds((102_400 - 19_968) / 100.0), Sample.Eta);
        Assert.Null((Sample with { ImagesPerSecond = 0 }).Eta);
        // The workers' count of running shards moves it before their manifests are verified.
        Assert.Equal(TimeSpan.FromSeconds((102_400 - 40_960) / 100.0), (Sample with { ProcessedInputs = 40_960 }).Eta);
    }

    [Fact]
    public void Progress_is_by_inputs_processed_and_never_below_the_verified_count()
    {
        Assert.Equal(0.4, (Sample with { ProcessedInputs = 40_960 }).Fraction);
        // A progress report older than the last verified shard does not move the page back.
        Assert.Equal(19_968, (Sample with { ProcessedInputs = 10_000 }).InputsSoFar);
        Assert.Contains("<b>40960 / 102400</b>inputs", StatusPage.Render(Sample with { ProcessedInputs = 40_960 }));
        // Before the plan's input total is known: by shards.
        Assert.Equal(78 / 400.0, (Sample with { TotalInputs = 0 }).Fraction);
    }

    [Fact]
    public void The_page_refreshes_itself_and_shows_progress_workers_and_the_latest_events_escaped()
    {
        string html = StatusPage.Render(Sample with { Latest = ["<script>alert(1)</script>"] });
        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.Contains($"<meta http-equiv=\"refresh\" content=\"{StatusPage.RefreshSeconds}\">", html);
        Assert.Contains("<b>78 / 400</b>shards done", html);
        Assert.Contains("<b>19968 / 102400</b>inputs", html);
        Assert.Contains("<b>13 min 44 s</b>ETA", html);
        Assert.Contains("<td>gpu-a-17-3f2a1b</td><td>40</td><td>2</td><td>10240</td><td>358400</td><td>51.3</td>", html);
        Assert.Contains("width:19.5%", html);
        Assert.Contains("&lt;script&gt;", html);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("http://", html);
    }
}
