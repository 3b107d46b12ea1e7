using System.CommandLine;
using System.Globalization;
using RobustCrop.Cli.Options;
using RobustCrop.Coordinator.Jobs;
using RobustCrop.Core.Rics;

namespace RobustCrop.Cli.Commands;

/// <summary>
/// The bench: binds its options, runs <see cref="BenchJob"/> (pipeline throughput against a bare ONNX Runtime loop on the
/// same tensors, feed capacity, peak memory per size) and renders its report; in a memory child
/// (<see cref="BenchMemory.Option"/>) it measures one size instead.
/// </summary>
public sealed class BenchCommand : Command
{
    private readonly CliConsole _io;

    public BenchCommand(CliConsole io) : base("bench",
        "pipeline throughput vs a bare ONNX Runtime loop on the same model. Prints crops/s of both, the decode+crop+normalise cost per crop, and last: pipeline/bare: <ratio>.")
    {
        _io = io;
        var model = CliOptions.String("--model", "model from the zoo", Defaults.Bench.Model, "ID");
        var zoo = new Option<string>("--zoo") { Description = "zoo file", HelpName = "FILE", DefaultValueFactory = _ => ShippedFiles.DefaultZoo };
        var data = CliOptions.String("--data", "images to use (default: the shipped samples)", helpName: "PATHS");
        var images = new Option<IReadOnlyList<int>>("--images")
        {
            Description = "inputs to run (the smallest for the side-by-side figures); each size also gets the worker's peak working set, measured in a child process",
            HelpName = "N[,N...]",
            DefaultValueFactory = _ => [Defaults.Bench.Images],
            CustomParser = r => ParseSizes(r),
        };
        var threads = CliOptions.Threads();
        var batch = CliOptions.Batch();
        var device = CliOptions.Device();
        var decodeThreads = CliOptions.DecodeThreads();
        var repeats = CliOptions.Int("--repeats", "times the pipeline runs, each between two runs of the bare loop; the median of its ratios to them is compared", Defaults.Bench.Repeats, 1, 100);
        var feedInputs = CliOptions.Int("--feed-inputs",
            "inputs the feed capacity runs over, the bench's inputs cycled (default: one shard of the default size)", Defaults.Bench.FeedInputs, 1, 100_000);
        // The memory child's mode: stream N inputs through the worker's path and print one line.
        var measureMemory = new Option<int?>(BenchMemory.Option) { Hidden = true };
        foreach (var o in new Option[] { model, zoo, data, images, threads, batch, device, decodeThreads, repeats, feedInputs, measureMemory }) Add(o);
        SetAction((p, ct) =>
        {
            var options = new BenchOptions(p.GetValue(model)!, p.GetValue(zoo)!, p.GetValue(data) ?? ShippedFiles.DefaultData, p.GetValue(threads),
                p.GetValue(batch), p.GetValue(device)!, p.GetValue(decodeThreads), p.GetValue(repeats), p.GetValue(images)!, p.GetValue(feedInputs), SampleRics);
            return p.GetValue(measureMemory) is int n ? BenchMemory.MeasureAsync(options, n, _io.Out, ct) : RunAsync(options, ct);
        });
    }

    /// <summary>The sample job's RICS plan (the default a user first runs): hash RICS at n = 9 and cyclic RICS.</summary>
    public static RicsSelection SampleRics => RicsSelection.Of(Defaults.Evaluate.SampleRicsWindows, [RicsScores.Parse(Defaults.Evaluate.RicsScore)], cyclic: true);

    private async Task<int> RunAsync(BenchOptions options, CancellationToken ct)
    {
        var job = new BenchJob(options, (size, c) => BenchMemory.InChildAsync(size, options, c), note: _io.Out.WriteLine);
        BenchReportText.Render(await job.RunAsync(ct), _io.Out);
        return 0;
    }

    private static List<int> ParseSizes(System.CommandLine.Parsing.ArgumentResult r)
    {
        string text = CliOptions.Single(r);
        var list = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) || n is < 1 or > 100_000)
            {
                r.AddError($"--images needs input counts 1-100000, comma-separated; got '{text}'");
                return list;
            }
            if (!list.Contains(n)) list.Add(n);
        }
        if (list.Count == 0) r.AddError("--images needs at least one input count");
        return list;
    }
}
