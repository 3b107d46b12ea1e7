using System.Diagnostics;
using System.Text.RegularExpressions;

namespace RobustCrop.Cli.Tests.Cluster;

/// <summary>
/// How nodes stop and start, as Kubernetes drives them: SIGTERM on a working worker, on a worker that never found its
/// coordinator, on the coordinator; a worker with no coordinator to find.
/// </summary>
[Trait("Category", "Cluster")]
[Collection(ClusterCollection.Name)]
[Trait("Category", "Slow")]
public sealed partial class ClusterLifecycleTests : NodeProcessTest
{
    private static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(120);
    private readonly string _zoo;

    // A heavier model than the other process tests' (about 8× the work per crop): a shard takes seconds, so a signal
    // lands while one runs.
    public ClusterLifecycleTests() => _zoo = NodeProcess.WriteTinyZoo(Tmp.Sub("zoo"), kernel: 31, channels: 128);

    private NodeProcess Coordinator(int port, string runId, int limit, int shardSize = 4) => Track(NodeProcess.Coordinator(
        ["coordinator", "--listen", $"127.0.0.1:{port}", "--status-seconds", "1", "--data", FashionMnist, "--limit", limit.ToString(System.Globalization.CultureInfo.InvariantCulture),
         "--shard-size", shardSize.ToString(System.Globalization.CultureInfo.InvariantCulture), "--zoo", _zoo, "--window", "1", "--threads", "1", "--out", Path.Combine(Tmp.Path, "out"), "--run-id", runId]));

    private NodeProcess Worker(int port, params string[] more) => Track(NodeProcess.Worker(["--join", $"127.0.0.1:{port}", "--threads", "1", .. more]));

    [Fact]
    public async Task A_worker_told_to_stop_hands_its_lease_back_at_once_leaves_and_never_rejoins()
    {
        int port = NodeProcess.FreePort();
        var coordinator = Coordinator(port, "sigterm", 48, shardSize: 16);
        var stopping = Worker(port, "--log-level", "info"); // its "lease N shard S started" line is Akka info
        await stopping.WaitForOutputAsync(o => LeaseStarted().IsMatch(o), JobTimeout);
        var lease = LeaseStarted().Matches(stopping.Output)[^1];
        var clock = Stopwatch.StartNew();
        stopping.Terminate();
        Assert.True(await stopping.WaitForExitAsync(TimeSpan.FromSeconds(30)) == 130, stopping.Output);
        // Re-queued on the worker's word, not when its lease timed out (30 s) or its node was removed.
        await coordinator.WaitForOutputAsync(o => o.Contains($"requeued shard={lease.Groups["shard"].Value} lease={lease.Groups["lease"].Value} ", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.True(Regex.IsMatch(coordinator.Output, $@"requeued shard={lease.Groups["shard"].Value} lease={lease.Groups["lease"].Value} \S+ reason=released"),
            $"coordinator:\n{coordinator.Output}\nworker:\n{stopping.Output}");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"the stop took {clock.Elapsed}");
        Assert.DoesNotContain("joining again", stopping.Output);

        var replacement = Worker(port);
        Assert.True(await coordinator.WaitForExitAsync(JobTimeout) == 0, coordinator.Output);
        Assert.Equal(0, await replacement.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(File.Exists(Path.Combine(Tmp.Path, "out", "sigterm", "_SUCCESS")));
    }

    [Fact]
    public async Task A_worker_that_has_not_joined_exits_at_once_on_SIGTERM_and_after_its_join_timeout_without_one()
    {
        int nobody = NodeProcess.FreePort();
        var waiting = Worker(nobody);
        // Well into its wait for the coordinator's port.
        await Task.Delay(TimeSpan.FromSeconds(3));
        var clock = Stopwatch.StartNew();
        waiting.Terminate();
        Assert.Equal(130, await waiting.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");

        var timingOut = Worker(nobody, "--join-timeout", "2");
        Assert.Equal(3, await timingOut.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        Assert.Contains($"robustcrop-worker: no coordinator answered at 127.0.0.1:{nobody} within 2 s (--join-timeout); exiting", timingOut.Output);
    }

    [Fact]
    public async Task A_coordinator_told_to_stop_says_cancelled_exits_130_and_the_same_run_id_resumes()
    {
        int port = NodeProcess.FreePort();
        var first = Coordinator(port, "cancel", 48);
        var worker = Worker(port);
        await first.WaitForOutputAsync(o => ShardDone().Matches(o).Count >= 2, JobTimeout);
        first.Terminate();
        Assert.True(await first.WaitForExitAsync(TimeSpan.FromSeconds(30)) == 130, first.Output);
        Assert.Contains("robustcrop: cancelled", first.Output);
        Assert.DoesNotContain(JobEventFeedText.StoppedBeforeCompletion, first.Output);
        Assert.False(File.Exists(Path.Combine(Tmp.Path, "out", "cancel", "_SUCCESS")), first.Output);

        var second = Coordinator(port, "cancel", 48);
        Assert.True(await second.WaitForExitAsync(JobTimeout) == 0, second.Output);
        Assert.Matches(@"resumed: \d+ shard\(s\)", second.Output);
        await worker.WaitForExitAsync(TimeSpan.FromSeconds(30));
    }

    [GeneratedRegex(@"lease (?<lease>\d+) shard (?<shard>\d{5}) started")]
    private static partial Regex LeaseStarted();

    [GeneratedRegex(@"^shard_done ", RegexOptions.Multiline)]
    private static partial Regex ShardDone();
}

internal static class JobEventFeedText
{
    public const string StoppedBeforeCompletion = RobustCrop.Coordinator.Cluster.JobEventFeed.StoppedBeforeCompletion;
}
