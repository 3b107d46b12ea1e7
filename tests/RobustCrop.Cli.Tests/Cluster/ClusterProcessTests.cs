using System.Text.RegularExpressions;
using RobustCrop.Core.Results;

namespace RobustCrop.Cli.Tests.Cluster;

/// <summary>
/// Real processes on 127.0.0.1: a coordinator and robustcrop-worker processes over a small Fashion-MNIST subset with a
/// tiny convolutional model. Results must equal a single-process run's, row for row, whatever happens to the nodes.
/// </summary>
[Trait("Category", "Cluster")]
[Collection(ClusterCollection.Name)]
[Trait("Category", "Slow")]
public sealed partial class ClusterProcessTests : NodeProcessTest
{
    private static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(120);
    private readonly string _zoo;

    public ClusterProcessTests() => _zoo = NodeProcess.WriteTinyZoo(Tmp.Sub("zoo"));

    private string[] JobArgs(string runId, int limit) =>
        ["--data", FashionMnist, "--limit", limit.ToString(System.Globalization.CultureInfo.InvariantCulture), "--shard-size", "4",
         "--zoo", _zoo, "--window", "1", "--threads", "1", "--out", Path.Combine(Tmp.Path, "out"), "--run-id", runId];

    private NodeProcess StartCoordinator(int port, string runId, int limit, params string[] more)
        => Track(NodeProcess.Coordinator(["coordinator", "--listen", $"127.0.0.1:{port}", "--status-seconds", "1", .. JobArgs(runId, limit), .. more]));

    // At info: the tests read the worker's "lease N shard S started" lines (Akka info, off at the default level).
    private NodeProcess StartWorker(int port) => Track(NodeProcess.Worker("--join", $"127.0.0.1:{port}", "--threads", "1", "--log-level", "info"));

    private string RunDir(string runId) => Path.Combine(Tmp.Path, "out", runId);

    private async Task<List<ImageRow>> ReferenceRowsAsync(int limit)
    {
        using var single = Track(NodeProcess.Coordinator(["evaluate", .. JobArgs("reference", limit)]));
        Assert.True(await single.WaitForExitAsync(JobTimeout) == 0, single.Output);
        return Normalise(await CliHarness.ReadImageRowsAsync(RunDir("reference")));
    }

    private static List<ImageRow> Normalise(IEnumerable<ImageRow> rows)
        => rows.Select(r => r with { RunId = "" }).OrderBy(r => r.ImageKey, StringComparer.Ordinal).ThenBy(r => r.Model, StringComparer.Ordinal).ToList();

    private async Task AssertSameRowsAsReferenceAsync(string runId, int limit)
    {
        var rows = await CliHarness.ReadImageRowsAsync(RunDir(runId));
        Assert.All(rows.GroupBy(r => (r.ImageKey, r.Model)), g => Assert.Single(g));
        Assert.Equal(await ReferenceRowsAsync(limit), Normalise(rows));
        Assert.True(File.Exists(Path.Combine(RunDir(runId), "_SUCCESS")));
        Assert.Equal(limit, (long)CliHarness.ReadSummary(RunDir(runId))["images"]!);
    }

    [Fact]
    public async Task Coordinator_and_two_workers_produce_the_single_process_rows()
    {
        int port = NodeProcess.FreePort();
        // All three at the same instant, as Kubernetes starts pods: the workers wait for the coordinator's port themselves.
        var coordinator = StartCoordinator(port, "two", 24);
        var w1 = StartWorker(port);
        var w2 = StartWorker(port);

        Assert.True(await coordinator.WaitForExitAsync(JobTimeout) == 0, coordinator.Output);
        Assert.Equal(0, await w1.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(0, await w2.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Matches(@"cluster shards_done=\d+ shards_total=6 leased=\d+ queued=\d+ workers=\d+ images_per_s=", coordinator.Output);
        Assert.Equal(6, ShardDone().Matches(coordinator.Output).Count);
        await AssertSameRowsAsReferenceAsync("two", 24);
    }

    [Fact]
    public async Task Worker_killed_mid_shard_its_shard_is_requeued_nothing_lost_or_duplicated()
    {
        int port = NodeProcess.FreePort();
        var coordinator = StartCoordinator(port, "kill", 24);
        var victim = StartWorker(port);
        await victim.WaitForOutputAsync(o => LeaseStarted().IsMatch(o), JobTimeout);
        victim.Kill(); // kill -9 of the whole tree, in the middle of its first shard
        var survivor = StartWorker(port);

        Assert.True(await coordinator.WaitForExitAsync(JobTimeout) == 0, coordinator.Output);
        Assert.Equal(0, await survivor.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        // The shard the victim was running when killed: the last it started. Usually its first, but a tiny-model shard takes
        // some 40 ms and a loaded machine can print a worker's log line after the shard it announces has finished.
        var started = LeaseStarted().Matches(victim.Output);
        Assert.True(started.Count > 0, victim.Output);
        var leased = started[^1];
        string victimId = WorkerId().Match(victim.Output).Groups[1].Value;
        var requeued = new Regex($@"requeued shard={leased.Groups["shard"].Value} lease={leased.Groups["lease"].Value} worker={Regex.Escape(victimId)} reason=(worker-removed|lease-expired)");
        Assert.True(requeued.IsMatch(coordinator.Output), $"victim:\n{victim.Output}\ncoordinator:\n{coordinator.Output}");
        await AssertSameRowsAsReferenceAsync("kill", 24);
    }

    [Fact]
    public async Task Coordinator_killed_and_restarted_resumes_without_recomputing_finished_shards()
    {
        // Enough shards that the kill lands mid-run even when the tiny model finishes a shard in milliseconds and the
        // test reads the coordinator's output a little late (with 12 shards, all had once finished before the kill).
        const int inputs = 160, shards = inputs / 4;
        int port = NodeProcess.FreePort();
        var first = StartCoordinator(port, "restart", inputs);
        var worker = StartWorker(port);
        await first.WaitForOutputAsync(o => ShardDone().Matches(o).Count >= 3, JobTimeout);
        first.Kill();
        var manifestsDir = Path.Combine(RunDir("restart"), "_manifests");
        var before = Directory.GetFiles(manifestsDir).ToDictionary(f => Path.GetFileName(f), File.ReadAllText);
        Assert.InRange(before.Count, 3, shards - 1);

        var second = StartCoordinator(port, "restart", inputs);
        int exit;
        try { exit = await second.WaitForExitAsync(JobTimeout); }
        catch (TimeoutException e) { throw new TimeoutException($"{e.Message}\nworker:\n{worker.Output}"); }
        Assert.True(exit == 0, $"coordinator:\n{second.Output}\nworker:\n{worker.Output}");
        Assert.Equal(0, await worker.WaitForExitAsync(TimeSpan.FromSeconds(30)));

        int resumed = int.Parse(Resumed().Match(second.Output).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(resumed >= before.Count, second.Output);
        Assert.Equal(shards - resumed, ShardDone().Matches(second.Output).Count);
        // A shard finished before the restart keeps its manifest byte for byte: it was not run again.
        foreach (var (name, text) in before) Assert.Equal(text, File.ReadAllText(Path.Combine(manifestsDir, name)));
        var rows = await CliHarness.ReadImageRowsAsync(RunDir("restart"));
        Assert.Equal(inputs, rows.Count);
        Assert.All(rows.GroupBy(r => (r.ImageKey, r.Model)), g => Assert.Single(g));
    }

    [Fact]
    public async Task Worker_joining_mid_run_receives_shards()
    {
        int port = NodeProcess.FreePort();
        var coordinator = StartCoordinator(port, "late", 160);
        var early = StartWorker(port);
        await coordinator.WaitForOutputAsync(o => ShardDone().IsMatch(o), JobTimeout);
        var late = StartWorker(port);

        Assert.True(await coordinator.WaitForExitAsync(JobTimeout) == 0, coordinator.Output);
        Assert.Equal(0, await early.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(0, await late.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        string lateId = WorkerId().Match(late.Output).Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(lateId), late.Output);
        Assert.Contains($"worker={lateId} ", coordinator.Output.Split('\n').Where(l => l.StartsWith("shard_done", StringComparison.Ordinal)).Select(l => l + " ").Aggregate("", string.Concat));
        await AssertSameRowsAsReferenceAsync("late", 160);
    }

    [GeneratedRegex(@"^shard_done ", RegexOptions.Multiline)]
    private static partial Regex ShardDone();

    [GeneratedRegex(@"lease (?<lease>\d+) shard (?<shard>\d{5}) started")]
    private static partial Regex LeaseStarted();

    [GeneratedRegex(@"resumed: (\d+) shard\(s\)")]
    private static partial Regex Resumed();

    [GeneratedRegex(@"worker (\S+): joining")]
    private static partial Regex WorkerId();
}

/// <summary>Process tests share two cores: running them one at a time keeps each one's timing meaningful.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterCollection
{
    public const string Name = "cluster-processes";
}
