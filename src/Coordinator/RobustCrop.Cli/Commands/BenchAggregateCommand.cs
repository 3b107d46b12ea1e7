using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using RobustCrop.Cli.Options;
using RobustCrop.Coordinator.Analysis;
using RobustCrop.Core.Results;
using RobustCrop.IO.Results;
using RobustCrop.IO.Storage;

namespace RobustCrop.Cli.Commands;

/// <summary>
/// <c>bench-aggregate</c>: the summary's cost at run sizes a laptop never holds. Per size it synthesises a finished run in
/// the real layout, then aggregates it in a child process of its own, so the peak working set (VmHWM, which a process
/// cannot reset) is the aggregation's alone, not the synthesis's or an earlier size's.
/// </summary>
public sealed class BenchAggregateCommand : Command
{
    /// <summary>The child's one result line: "measured &lt;seconds&gt; &lt;peak bytes&gt; &lt;bytes before&gt; &lt;images&gt; &lt;errors&gt;".</summary>
    private const string MeasuredPrefix = "measured ";

    private readonly CliConsole _io;

    public BenchAggregateCommand(CliConsole io) : base("bench-aggregate",
        "time the run summary (aggregate) on synthetic runs: per size, seconds, image rows/s and the aggregation's peak working set "
        + "(a child process per size); last line 'aggregate peak ratio: <peak at largest / peak at smallest>'")
    {
        _io = io;
        var images = new Option<IReadOnlyList<long>>("--images")
        {
            Description = "image rows per synthetic run (inputs x models), one run each",
            HelpName = "LIST",
            DefaultValueFactory = _ => [1_000_000, 10_000_000],
            CustomParser = r => ParseSizes(CliOptions.Single(r), r),
        };
        var models = CliOptions.Int("--models", "models per run (each input has an image row per model)", 2, 1, 64);
        var perShard = CliOptions.Int("--inputs-per-shard", "inputs per shard (a LAION tar holds about 10,000)", 5_000, 1, 1_000_000);
        var crops = CliOptions.Int("--crops-per-image", "crop rows per image row (written, never read by the summary)", 5, 0, 1_000);
        var dir = CliOptions.String("--dir", "where the synthetic runs are written (default: the system temp folder); each is removed after its size", helpName: "DIR");
        var keep = CliOptions.Flag("--keep", "keep the synthetic runs (each one's folder is printed) to aggregate or query them again");
        // The child's mode: aggregate a run written by the parent and print one line.
        var measure = new Option<string>("--measure") { Hidden = true };
        foreach (var o in new Option[] { images, models, perShard, crops, dir, keep, measure }) Add(o);
        SetAction((p, ct) => p.GetValue(measure) is { } root
            ? MeasureAsync(root, ct)
            : RunAsync(p.GetValue(images)!, p.GetValue(models), p.GetValue(perShard), p.GetValue(crops), p.GetValue(dir), p.GetValue(keep), ct));
    }

    private async Task<int> RunAsync(IReadOnlyList<long> sizes, int models, int perShard, int crops, string? dir, bool keep, CancellationToken ct)
    {
        Out($"bench-aggregate: {string.Join(",", sizes)} image rows, {models} model(s), {perShard} inputs per shard, 2 rics and {crops} crop rows "
            + $"per image row, aggregation in a child process per size, {Environment.ProcessorCount} core(s)");
        Out($"{"image_rows",11} {"shards",7} {"synth_s",8} {"seconds",8} {"rows/s",10} {"peak_mib",9} {"base_mib",9}  summary");
        var peaks = new List<double>();
        bool allRight = true;
        foreach (long size in sizes)
        {
            var run = new AggregateBenchRun(size, models, perShard, crops);
            string root = Path.Combine(dir ?? Path.GetTempPath(), "robustcrop-bench-aggregate-" + Guid.NewGuid().ToString("N")[..12]);
            try
            {
                var synth = Stopwatch.StartNew();
                await AggregateBench.SynthesizeAsync(root, run, ct);
                synth.Stop();
                var m = await MeasureInChildAsync(root, ct);
                long rows = run.Inputs * models;
                bool right = m.Images == AggregateBench.ExpectedImages(run) && m.Errors == (long)run.Shards * run.ErrorsPerShard;
                allRight &= right;
                peaks.Add(m.PeakBytes);
                Out(string.Create(CultureInfo.InvariantCulture,
                    $"{rows,11} {run.Shards,7} {synth.Elapsed.TotalSeconds,8:F1} {m.Seconds,8:F2} {rows / m.Seconds,10:F0} {MiB(m.PeakBytes),9:F0} {MiB(m.BaseBytes),9:F0}  {(right ? "right" : $"WRONG ({m.Images} images, {m.Errors} errors)")}"));
            }
            finally
            {
                if (keep) Out($"kept: {Path.Combine(root, AggregateBench.RunId)}");
                else if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
            }
        }
        Out(string.Create(CultureInfo.InvariantCulture, $"aggregate peak ratio: {peaks[^1] / peaks[0]:F2}"));
        return allRight ? 0 : 1;
    }

    private sealed record Measured(double Seconds, long PeakBytes, long BaseBytes, long Images, long Errors);

    /// <summary>Runs this command's <c>--measure</c> mode in a fresh process and reads its result line.</summary>
    private static async Task<Measured> MeasureInChildAsync(string root, CancellationToken ct)
    {
        var f = (await SelfProcess.RunForLineAsync(["bench-aggregate", "--measure", root], MeasuredPrefix, ct)).Split(' ');
        return new Measured(double.Parse(f[0], CultureInfo.InvariantCulture), long.Parse(f[1], CultureInfo.InvariantCulture),
            long.Parse(f[2], CultureInfo.InvariantCulture), long.Parse(f[3], CultureInfo.InvariantCulture), long.Parse(f[4], CultureInfo.InvariantCulture));
    }

    /// <summary>The child: aggregates the run as <c>aggregate --run</c> does (state, summary, summary files written).</summary>
    private async Task<int> MeasureAsync(string root, CancellationToken ct)
    {
        long before = PeakBytes();
        var clock = Stopwatch.StartNew();
        var store = new LocalFolderStore(root);
        var layout = new RunLayout(AggregateBench.RunId);
        var state = await RunStateIo.ReadAsync(store, layout, ct);
        var summary = await RunRebuilder.AggregateAsync(store, layout, state, ct);
        await RunAggregator.WriteSummaryAsync(store, layout, summary, ct);
        clock.Stop();
        Out(string.Create(CultureInfo.InvariantCulture,
            $"{MeasuredPrefix}{clock.Elapsed.TotalSeconds:R} {PeakBytes()} {before} {summary.Images} {summary.Errors}"));
        return 0;
    }

    private static long PeakBytes()
    {
        using var self = Process.GetCurrentProcess();
        return self.PeakWorkingSet64;
    }

    private static double MiB(long bytes) => bytes / (1024.0 * 1024.0);

    private static List<long> ParseSizes(string text, System.CommandLine.Parsing.ArgumentResult r)
    {
        var list = new List<long>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!long.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out long n) || n is < 1 or > 10_000_000_000)
            {
                r.AddError($"--images needs a comma-separated list of row counts 1-10000000000; got '{text}'");
                return list;
            }
            list.Add(n);
        }
        if (list.Count == 0) r.AddError("--images needs at least one row count");
        return list;
    }

    private void Out(string line) => _io.Out.WriteLine(line);
}
