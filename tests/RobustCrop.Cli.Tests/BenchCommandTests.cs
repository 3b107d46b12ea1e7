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
        var run = await CliHarness.RunAsync("bench", "--images", "2", "--threads", "2");
        Assert.True(run.ExitCode == 0, run.Err);
        var lines = run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
        double bare = Rate(lines, "bare ONNX Runtime loop: "), pipeline = Rate(lines, "full pipeline: ");
        double feed = Rate(lines, "feed capacity (near-zero-cost model, same shapes and head): ");
        // The feed model costs microseconds per batch: the same pipeline runs it many times faster than ResNet18.
        Assert.True(feed > 3 * pipeline, $"feed {feed} crops/s, pipeline {pipeline} crops/s");
        Assert.True(double.Parse(FeedPerCore().Match(run.Out).Groups[1].Value, CultureInfo.InvariantCulture) > 0, run.Out);
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

    [GeneratedRegex(@"^feed/core: (\d+)$", RegexOptions.Multiline)]
    private static partial Regex FeedPerCore();

    [GeneratedRegex(@"^pipeline/bare: (\d+\.\d{3})$")]
    private static partial Regex Ratio();
}
