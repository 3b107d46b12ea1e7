using System.Globalization;
using System.Text.RegularExpressions;

namespace RobustCrop.Cli.Tests;

/// <summary><c>bench-aggregate</c> at tiny sizes: its output has the promised shape, its figures add up, its runs are
/// summarised right and removed.</summary>
public sealed partial class BenchAggregateCommandTests
{
    [GeneratedRegex(@"^\s*(\d+)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+(\d+)\s+(\d+)\s+(\d+)\s+right$")]
    private static partial Regex Row();

    [GeneratedRegex(@"^aggregate peak ratio: (\d+\.\d\d)$")]
    private static partial Regex Ratio();

    [Fact]
    public async Task Prints_one_row_per_size_then_the_peak_ratio_and_leaves_nothing_behind()
    {
        using var dir = new TempDir();
        var run = await CliHarness.RunAsync("bench-aggregate", "--images", "2000,6000", "--inputs-per-shard", "500", "--dir", dir.Path);

        Assert.True(run.ExitCode == 0, run.Err);
        var lines = run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
        Assert.Equal(5, lines.Length);
        Assert.StartsWith("bench-aggregate: 2000,6000 image rows, 2 model(s), 500 inputs per shard", lines[0]);
        Assert.Matches(@"^\s*image_rows\s+shards\s+synth_s\s+seconds\s+rows/s\s+peak_mib\s+base_mib\s+summary$", lines[1]);
        var rows = lines[2..4].Select(l => Row().Match(l)).ToArray();
        Assert.All(rows, m => Assert.True(m.Success, $"not a result row: '{m.Value}' in\n{run.Out}"));
        // 2,000 image rows of 2 models = 1,000 inputs = 2 shards of 500; 6,000 = 6 shards.
        Assert.Equal(["2000", "6000"], rows.Select(m => m.Groups[1].Value));
        Assert.Equal(["2", "6"], rows.Select(m => m.Groups[2].Value));
        foreach (var m in rows)
        {
            double seconds = double.Parse(m.Groups[4].Value, CultureInfo.InvariantCulture);
            long rowsPerSecond = long.Parse(m.Groups[5].Value, CultureInfo.InvariantCulture);
            Assert.InRange(rowsPerSecond, long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) / (seconds + 0.006) - 1,
                long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) / Math.Max(seconds - 0.006, 1e-6) + 1);
            // The peak is the child's, after its start: at least what it held before aggregating.
            Assert.True(long.Parse(m.Groups[6].Value, CultureInfo.InvariantCulture) >= long.Parse(m.Groups[7].Value, CultureInfo.InvariantCulture));
        }
        var ratio = Ratio().Match(lines[4]);
        Assert.True(ratio.Success, lines[4]);
        double expected = double.Parse(rows[1].Groups[6].Value, CultureInfo.InvariantCulture) / double.Parse(rows[0].Groups[6].Value, CultureInfo.InvariantCulture);
        // The ratio is of the peaks in bytes; the rows show them rounded to a MiB.
        Assert.Equal(expected, double.Parse(ratio.Groups[1].Value, CultureInfo.InvariantCulture), 0.05);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1000,x")]
    [InlineData("")]
    public async Task A_bad_size_list_is_a_usage_error_naming_the_option(string sizes)
    {
        var run = await CliHarness.RunAsync("bench-aggregate", "--images", sizes);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--images", Assert.Single(run.ErrLines));
    }
}
