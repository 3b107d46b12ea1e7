using System.CommandLine;
using System.Globalization;
using RobustCrop.Cli.Options;
using RobustCrop.Coordinator.Cluster.Bench;

namespace RobustCrop.Cli.Commands;

/// <summary>
/// The job singleton's scheduling capacity: the real coordinator actor on one in-process node, fed by simulated workers
/// that hold each shard for a fixed latency. Tells how many leases per second one coordinator sustains, and so how
/// many GPU workers it can keep busy.
/// </summary>
public sealed class BenchClusterCommand : Command
{
    private readonly CliConsole _io;

    public BenchClusterCommand(CliConsole io) : base("bench-cluster",
        "coordinator lease throughput with simulated workers (no models, no data). Prints one line per worker count: wall time, leases/s, "
        + "ideal time (shards x latency / workers), overhead (wall/ideal - 1), overhead against the latency the workers actually held "
        + "(Akka's timer ticks every 10 ms), mean and p99 completion-to-next-lease gap, mean hold; last a summary line.")
    {
        _io = io;
        // Simulated workers hold no model: a timer each, so thousands fit where real workers are bounded by cores and memory.
        var workers = new Option<IReadOnlyList<int>>("--workers")
        {
            Description = "simulated worker counts, one run each",
            HelpName = "LIST",
            DefaultValueFactory = _ => ParseList(Defaults.BenchCluster.Workers, null),
            CustomParser = r => ParseList(CliOptions.Single(r), r),
        };
        var shards = CliOptions.Int("--shards", "synthetic shards per run", Defaults.BenchCluster.Shards, 1, 10_000_000);
        var latency = CliOptions.Int("--latency-ms", "time a worker holds each shard (0 = raw lease throughput)", Defaults.BenchCluster.LatencyMs, 0, 60_000, "L");
        var timeout = CliOptions.Int("--timeout-s", "limit per run (default: 60 s + 5 x the ideal time)", null, 1, 86_400, "S");
        foreach (var o in new Option[] { workers, shards, latency, timeout }) Add(o);
        SetAction((p, ct) => RunAsync(p.GetValue(workers)!, p.GetValue(shards), p.GetValue(latency), p.Given(timeout) ? p.GetValue(timeout) : null, ct));
    }

    private async Task<int> RunAsync(IReadOnlyList<int> workerCounts, int shards, int latencyMs, int? timeoutS, CancellationToken ct)
    {
        var latency = TimeSpan.FromMilliseconds(latencyMs);
        Out($"bench-cluster: {shards} shard(s), latency {latencyMs} ms, one in-process node (coordinator+worker roles), {Environment.ProcessorCount} core(s)");
        Out($"{"workers",7} {"wall_s",8} {"leases/s",9} {"ideal_s",8} {"overhead",9} {"ovh_held",9} {"gap_ms",7} {"gap_p99",8} {"hold_ms",8} {"startup_s",9} {"peak_mib",8}  exactly_once");
        var results = new List<ClusterBenchResult>();
        foreach (int w in workerCounts)
        {
            var ideal = latency * shards / w;
            var timeout = timeoutS is { } t ? TimeSpan.FromSeconds(t) : TimeSpan.FromSeconds(60) + ideal * 5;
            var r = await ClusterBench.RunAsync(new ClusterBenchRun(w, shards, latency, timeout), ct, _io.Err.WriteLine);
            results.Add(r);
            string once = r.ExactlyOnce && r.Requeued == 0 && r.Duplicates == 0 ? "yes" : $"NO (requeued {r.Requeued}, duplicates {r.Duplicates})";
            Out(string.Create(CultureInfo.InvariantCulture,
                $"{w,7} {r.Wall.TotalSeconds,8:F2} {r.LeasesPerSecond,9:F0} {r.Ideal.TotalSeconds,8:F2} {FormatOverhead(r.Overhead),9} {FormatOverhead(r.OverheadVsHeld),9} {r.Counts.MeanGapMs,7:F2} {r.Counts.P99GapMs,8:F2} {r.Counts.MeanHoldMs,8:F2} {r.Startup.TotalSeconds,9:F2} {PeakMiB(),8:F0}  {once}"));
        }
        var best = results.MaxBy(r => r.LeasesPerSecond)!;
        var worst = results.Where(r => !double.IsNaN(r.Overhead)).MaxBy(r => r.Overhead);
        bool allOnce = results.All(r => r.ExactlyOnce && r.Requeued == 0 && r.Duplicates == 0);
        string worstText = worst is null ? "" : $"; worst overhead {FormatOverhead(worst.Overhead)} at {worst.Run.Workers} workers";
        Out(string.Create(CultureInfo.InvariantCulture,
            $"summary: peak {best.LeasesPerSecond:F0} leases/s at {best.Run.Workers} workers; mean gap {results.Average(r => r.Counts.MeanGapMs):F2} ms{worstText}; exactly once: {(allOnce ? "yes" : "NO")}"));
        return allOnce ? 0 : 1;
    }

    /// <summary>The process's peak working set so far (VmHWM): the coordinator's memory at this many shards.</summary>
    private static double PeakMiB()
    {
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        return self.PeakWorkingSet64 / (1024.0 * 1024.0);
    }

    private static string FormatOverhead(double overhead)
        => double.IsNaN(overhead) ? "n/a" : (overhead * 100).ToString("F1", CultureInfo.InvariantCulture) + "%";

    private static List<int> ParseList(string text, System.CommandLine.Parsing.ArgumentResult? r)
    {
        var list = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) || n is < 1 or > 10_000)
            {
                r?.AddError($"--workers needs a comma-separated list of counts 1-10000; got '{text}'");
                return list;
            }
            list.Add(n);
        }
        if (list.Count == 0) r?.AddError("--workers needs at least one count");
        return list;
    }

    private void Out(string line) => _io.Out.WriteLine(line);
}
