using System.Globalization;
using System.Text.RegularExpressions;
using RobustCrop.Cli.Commands;
using RobustCrop.Cli.Options;
using RobustCrop.Coordinator.Jobs;
using RobustCrop.Core.Settings;

namespace RobustCrop.Cli.Tests;

/// <summary>The bench's report: figures side by side, the feed capacity of a near-zero-cost model, the ratio last.</summary>
[Trait("Category", "Slow")]
public sealed partial class BenchCommandTests
{
    [Fact]
    public async Task Bench_reports_the_bare_loop_the_pipeline_and_the_feed_capacity_with_the_ratio_last()
    {
        // What `bench --images 2,3 --threads 2 --feed-inputs 6` runs: the feed runs over its own count of inputs, the
        // bench's cycled (6 = the 2 inputs three times); memory children are real child processes, as in the command.
        var options = new BenchOptions(Defaults.Bench.Model, ShippedFiles.DefaultZoo, ShippedFiles.DefaultData, Threads: 2, RunSettings.AutoBatch,
            Defaults.Device, Defaults.DecodeThreads, Defaults.Bench.Repeats, Sizes: [2, 3], FeedInputs: 6, BenchCommand.SampleRics);
        var r = await new BenchJob(options, (size, ct) => BenchMemory.InChildAsync(size, options, ct)).RunAsync(CancellationToken.None);

        // --batch auto (the default) on a CPU is the fixed default batch; only CUDA measures one.
        Assert.Equal((RunSettings.DefaultBatch, 2, "cpu", false), (r.Setup.Batch, r.Setup.Inputs, r.Setup.Device, r.Setup.IoBinding));
        // The pipeline runs three times, each between two bare runs (four in all).
        Assert.Equal((4, 3, 3), (r.BareRates.Count, r.PipelineRates.Count, r.Ratios.Count));
        Assert.All(r.BareRates.Concat(r.PipelineRates), v => Assert.True(v > 0 && double.IsFinite(v), $"rate {v}"));
        for (int i = 0; i < 3; i++)
            Assert.Equal(r.PipelineRates[i] / ((r.BareRates[i] + r.BareRates[i + 1]) / 2), r.Ratios[i], 12);
        // The median of the per-run ratios, not the ratio of the medians (which a drift between runs would move).
        Assert.Equal(r.Ratios.Order().ElementAt(1), r.PipelineOverBare);
        // The bare loop infers exactly the crops the pipeline infers (the same plan over the same inputs).
        Assert.Equal(r.TotalCrops, r.PipelineCrops);
        Assert.Equal(2, r.PipelineImages);
        // The feed runs the same inputs three times over through the same plan, so it infers exactly three times the crops;
        // how much faster it is is the benchmark's to report (tests run beside other assemblies, so rates are not asserted).
        Assert.Equal((3 * r.PipelineCrops, 6), (r.Feed.Crops, r.Feed.Inputs));
        Assert.True(r.Feed.CropsPerSecond > 0 && r.Feed.PerCore > 0);
        Assert.Contains(r.FeedScaling, f => f.DecodeThreads == 1);
        // Every stage timed; inference is where a ResNet18 on a CPU spends its time.
        Assert.Equal(["decode", "resize", "plan+score", "crop assembly", "infer", "metrics", "write"], r.PipelineStages.Select(s => s.Name));
        Assert.All(r.PipelineStages, s => Assert.True(s.TotalMs > 0, $"{s.Name}: {s.TotalMs} ms"));
        Assert.Equal("infer", r.PipelineStages.MaxBy(s => s.TotalMs)!.Name);
        Assert.Equal(["hash/9", "dog/9", "blob/9", "hessian/9", "hash/31"], r.RicsScoring.Select(f => $"{f.Score}/{f.N}"));
        // One child process per size and repeat, each reading exactly its inputs; the ratio of the two peaks.
        Assert.Equal([(2, 2L, 3), (3, 3L, 3)], r.Memory.Select(m => (m.Size, m.InputsRead, m.RunsMiB.Count)));
        Assert.Equal((double)r.Memory[1].PeakBytes / r.Memory[0].PeakBytes, r.PeakRatio);

        // The rendering shows the record's figures, the ratio last.
        var text = new StringWriter();
        BenchReportText.Render(r, text);
        var lines = text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
        Assert.Contains($", batch {r.Setup.Batch}, ", lines[0]);
        Assert.Contains(lines, l => l.StartsWith(F($"bare ONNX Runtime loop: {r.Bare:F1} crops/s"), StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith(F($"full pipeline: {r.Pipeline:F1} crops/s"), StringComparison.Ordinal) && l.Contains(F($"{r.PipelineCrops} crops"), StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("feed capacity ", StringComparison.Ordinal) && l.EndsWith(F($"{r.Feed.Crops} crops, 6 inputs in one shard)"), StringComparison.Ordinal));
        Assert.Contains(F($"feed/core: {r.Feed.PerCore:F0}"), lines);
        Assert.Single(lines, l => l.StartsWith("worker peak working set at 3 inputs: ", StringComparison.Ordinal) && l.Contains("(3 inputs read", StringComparison.Ordinal));
        var last = Ratio().Match(lines[^1]);
        Assert.True(last.Success, lines[^1]);
        Assert.Equal(r.PipelineOverBare, double.Parse(last.Groups[1].Value, CultureInfo.InvariantCulture), 0.0005);
    }

    [Fact]
    public async Task A_model_not_in_the_zoo_fails_with_one_line()
    {
        var run = await CliHarness.RunAsync("bench", "--model", "no-such-model");
        Assert.NotEqual(0, run.ExitCode);
        var line = Assert.Single(run.ErrLines);
        Assert.Contains("model 'no-such-model' is not in the zoo ", line);
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^pipeline/bare: (\d+\.\d{3})$")]
    private static partial Regex Ratio();
}
