using System.Globalization;
using System.Text.RegularExpressions;

namespace RobustCrop.Cli.Tests;

/// <summary>The bench's report: figures side by side, the feed capacity of a near-zero-cost model, the ratio last.</summary>
[Trait("Category", "Slow")]
public sealed partial class BenchCommandTests
{
    [Fact]
    public async Task Bench_reports_the_bare_loop_the_pipeline_and_the_feed_capacity_with_the_ratio_last()
    {
        // The feed runs over its own count of inputs, the bench's cycled: 6 = the 2 inputs three times.
        var run = await CliHarness.RunAsync("bench", "--images", "2,3", "--threads", "2", "--feed-inputs", "6");
        Assert.True(run.ExitCode == 0, run.Err);
        var lines = run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
        // --batch auto (the default) on a CPU is the fixed default batch; only CUDA measures one.
        Assert.Contains(", batch 32, ", lines[0]);
        double bare = Rate(lines, "bare ONNX Runtime loop: "), pipeline = Rate(lines, "full pipeline: ");
        // The pipeline runs three times, each between two bare runs (four in all); each side's median is printed.
        double[] bareRuns = Runs(lines, "bare ONNX Runtime loop: ", 4), pipeRuns = Runs(lines, "full pipeline: ", 3);
        Assert.Equal(bare, Median(bareRuns), 0.101); // an even count: the mean of two values each rounded to 0.1
        Assert.Equal(pipeline, Median(pipeRuns));
        // Each pipeline run over the mean of the bare runs either side of it, from the rounded rates printed.
        var perRun = Assert.Single(lines, l => l.StartsWith(PerRunPrefix, StringComparison.Ordinal))[PerRunPrefix.Length..]
            .Split(", ").Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(3, perRun.Length);
        for (int r = 0; r < 3; r++)
            Assert.InRange(Math.Abs(perRun[r] - pipeRuns[r] / ((bareRuns[r] + bareRuns[r + 1]) / 2)), 0, 0.01);
        // The feed runs the same inputs (three times over) through the same plan as the pipeline, so it infers exactly three
        // times its crops; how much faster it is is the benchmark's to report (tests run beside other test assemblies, so
        // rates are not asserted).
        Assert.True(Rate(lines, "feed capacity (near-zero-cost model, same shapes and head): ") > 0, run.Out);
        var feedLine = Assert.Single(lines, l => l.StartsWith("feed capacity ", StringComparison.Ordinal));
        Assert.Equal(3 * CropCount(Assert.Single(lines, l => l.StartsWith("full pipeline: ", StringComparison.Ordinal))), CropCount(feedLine));
        Assert.Contains(", 6 inputs in one shard)", feedLine);
        Assert.True(double.Parse(FeedPerCore().Match(run.Out).Groups[1].Value, CultureInfo.InvariantCulture) > 0, run.Out);
        // Every stage timed; inference is where a ResNet18 on a CPU spends its time.
        var stages = new[] { "decode", "resize", "plan+score", "crop assembly", "infer", "metrics", "write" }
            .ToDictionary(n => n, n => double.Parse(Assert.Single(lines, l => l.StartsWith(n + " ", StringComparison.Ordinal))[14..].Trim().Split(' ')[0], CultureInfo.InvariantCulture));
        Assert.All(stages, kv => Assert.True(kv.Value > 0, $"{kv.Key}: {kv.Value} ms"));
        Assert.Equal("infer", stages.MaxBy(kv => kv.Value).Key);
        // The feed at one decode thread, and (on a machine with two cores) at two.
        Assert.Contains(lines, l => l.StartsWith("feed scaling, 1 decode thread(s): ", StringComparison.Ordinal));
        // One child process per size, each reading exactly its inputs; the ratio of the two peaks.
        Assert.Single(lines, l => l.StartsWith("worker peak working set at 2 inputs: ", StringComparison.Ordinal) && l.Contains("(2 inputs read", StringComparison.Ordinal));
        Assert.Single(lines, l => l.StartsWith("worker peak working set at 3 inputs: ", StringComparison.Ordinal) && l.Contains("(3 inputs read", StringComparison.Ordinal));
        Assert.Single(lines, l => l.StartsWith("peak working set ratio (3 / 2 inputs): ", StringComparison.Ordinal));
        var last = Ratio().Match(lines[^1]);
        Assert.True(last.Success, lines[^1]);
        // The median of the per-run ratios, not the ratio of the medians (which a drift between runs would move).
        Assert.Equal(Median(perRun), double.Parse(last.Groups[1].Value, CultureInfo.InvariantCulture), 0.0005);
    }

    private static double Rate(string[] lines, string prefix)
    {
        var line = Assert.Single(lines, l => l.StartsWith(prefix, StringComparison.Ordinal));
        return double.Parse(line[prefix.Length..].Split(' ')[0], CultureInfo.InvariantCulture);
    }

    private const string PerRunPrefix = "each pipeline run / mean of the bare runs either side: ";

    private static double[] Runs(string[] lines, string prefix, int count)
    {
        var line = Assert.Single(lines, l => l.StartsWith(prefix, StringComparison.Ordinal));
        var m = MedianOf().Match(line);
        Assert.True(m.Success, line);
        Assert.Equal(count, int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
        var runs = m.Groups[2].Value.Split(", ").Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(count, runs.Length);
        return runs;
    }

    private static double Median(double[] runs)
    {
        var sorted = runs.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    [GeneratedRegex(@"median of (\d+) runs: (\d+\.\d(?:, \d+\.\d)*)\)$")]
    private static partial Regex MedianOf();

    private static int CropCount(string line) => int.Parse(Crops().Match(line).Groups[1].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"(\d+) crops[,)]")]
    private static partial Regex Crops();

    [GeneratedRegex(@"^feed/core: (\d+)$", RegexOptions.Multiline)]
    private static partial Regex FeedPerCore();

    [GeneratedRegex(@"^pipeline/bare: (\d+\.\d{3})$")]
    private static partial Regex Ratio();
}
