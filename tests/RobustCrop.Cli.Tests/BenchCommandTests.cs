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
        // Both sides run three times, alternated; the figure compared is each side's median.
        Assert.Equal(bare, Median(Runs(lines, "bare ONNX Runtime loop: ")));
        Assert.Equal(pipeline, Median(Runs(lines, "full pipeline: ")));
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
        // The ratio of the two rates printed above (each rounded to 0.1 crops/s).
        Assert.InRange(Math.Abs(pipeline / bare - double.Parse(last.Groups[1].Value, CultureInfo.InvariantCulture)), 0, 0.01);
    }

    private static double Rate(string[] lines, string prefix)
    {
        var line = Assert.Single(lines, l => l.StartsWith(prefix, StringComparison.Ordinal));
        return double.Parse(line[prefix.Length..].Split(' ')[0], CultureInfo.InvariantCulture);
    }

    private static double[] Runs(string[] lines, string prefix)
    {
        var line = Assert.Single(lines, l => l.StartsWith(prefix, StringComparison.Ordinal));
        var m = MedianOf3().Match(line);
        Assert.True(m.Success, line);
        return [.. m.Groups[1].Value.Split(", ").Select(v => double.Parse(v, CultureInfo.InvariantCulture))];
    }

    private static double Median(double[] runs) => runs.Order().ElementAt(1);

    [GeneratedRegex(@"median of 3 runs: (\d+\.\d, \d+\.\d, \d+\.\d)\)$")]
    private static partial Regex MedianOf3();

    private static int CropCount(string line) => int.Parse(Crops().Match(line).Groups[1].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"(\d+) crops[,)]")]
    private static partial Regex Crops();

    [GeneratedRegex(@"^feed/core: (\d+)$", RegexOptions.Multiline)]
    private static partial Regex FeedPerCore();

    [GeneratedRegex(@"^pipeline/bare: (\d+\.\d{3})$")]
    private static partial Regex Ratio();
}
