using Microsoft.Extensions.Time.Testing;
using RobustCrop.Cluster.Protocol;
using RobustCrop.Coordinator.Scheduling;

namespace RobustCrop.Coordinator.Tests.Scheduling;

public sealed class ProgressTrackerTests
{
    private static readonly WorkerId A = new("a"), B = new("b");
    private static readonly SchedulerCounts Counts = new(10, 2, 1, 7, 2, 3, 0);

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private ProgressTracker Planned(long skipped = 100, long total = 1_000, bool afterRestart = false)
    {
        var t = new ProgressTracker(_clock, TimeSpan.FromSeconds(5));
        t.Planned(skipped, total, afterRestart);
        return t;
    }

    [Fact]
    public void Totals_are_the_skipped_inputs_plus_each_workers_highest_report()
    {
        var t = Planned();
        Assert.Equal(new ProgressTotals(140, 400), t.Report(A, 40, 400, 1, out _));
        Assert.Equal(new ProgressTotals(160, 600), t.Report(B, 20, 200, 1, out _));
        // A late, lower report does not move the totals back.
        Assert.Equal(new ProgressTotals(160, 600), t.Report(A, 30, 300, 1, out _));
        t.Left(B);
        Assert.Equal(new ProgressTotals(140, 400), t.Totals);
    }

    [Fact]
    public void After_a_restart_each_workers_first_report_is_its_baseline()
    {
        var t = Planned(afterRestart: true);
        Assert.Equal(new ProgressTotals(100, 0), t.Report(A, 300, 3_000, 1, out _));
        Assert.Equal(new ProgressTotals(108, 80), t.Report(A, 308, 3_080, 1, out _));
    }

    [Fact]
    public void Negative_or_impossible_reports_are_refused_said_once_per_worker_and_leave_the_totals_alone()
    {
        var t = Planned();
        t.Report(A, 10, 100, 1, out _);
        Assert.Null(t.Report(A, -5, 100, 1, out var first));
        Assert.Equal(new ProgressRefused(A, "a negative figure"), first);
        Assert.Null(t.Report(A, long.MaxValue, long.MaxValue, 1, out var second));
        Assert.Null(second);
        Assert.Null(t.Report(B, 2_001, 0, 1, out var tooMany));
        Assert.Equal("2001 inputs done, more than the run could have (2000)", Assert.IsType<ProgressRefused>(tooMany).Reason);
        Assert.Null(t.Report(B, 0, ProgressTracker.MaxFigure + 1, 0, out _));
        Assert.Equal(new ProgressTotals(110, 100), t.Totals);
    }

    [Fact]
    public void Done_inputs_never_exceed_the_plans_total()
    {
        var t = Planned(skipped: 900);
        Assert.Equal(1_000, t.Report(A, 1_500, 0, 0, out _)!.Images);
    }

    [Fact]
    public void A_status_tick_comes_once_per_interval_with_each_workers_rate_since_the_last()
    {
        var t = Planned();
        var views = new[] { new WorkerView(A, "akka.tcp://sys@h:1/user/worker-0", 1, 2) };
        Assert.Null(t.Status(Counts, views, new Dictionary<RequeueReason, long>(), planned: true));
        t.Report(A, 50, 500, 1, out _);
        _clock.Advance(TimeSpan.FromSeconds(5));
        var first = t.Status(Counts, views, new Dictionary<RequeueReason, long>(), planned: true)!;
        Assert.Equal(new WorkerRate("a", 2, 1, 50, 500, 10), Assert.Single(first.Workers));
        t.Report(A, 60, 600, 1, out _);
        _clock.Advance(TimeSpan.FromSeconds(10));
        var second = t.Status(Counts, views, new Dictionary<RequeueReason, long>(), planned: true)!;
        Assert.Equal(1, second.ImagesPerSecond);
        Assert.Equal(
            ["cluster shards_done=2 shards_total=10 leased=1 queued=7 workers=2 images_per_s=1.0 leases_granted=3",
             "cluster_worker worker=a shards_done=2 leased=1 images=60 images_per_s=1.0"],
            SchedulingLines.Status(second).ToArray());
    }
}
