using System.Diagnostics;
using System.Text.RegularExpressions;

namespace RobustCrop.Cli.Tests.Cluster;

/// <summary><c>scripts/scale-rehearsal.sh</c> at a small size in the suite, so the script cannot rot: generated img2dataset
/// shards in Azurite, a coordinator and two workers from az:// to az://, aggregate, queries, report and the exactly-once check.</summary>
[Trait("Category", "Cluster")]
[Trait("Category", "Azurite")]
[Collection(ClusterCollection.Name)]
[Trait("Category", "Slow")]
public sealed partial class ScaleRehearsalScriptTests
{
    private const int Images = 200;

    [Fact]
    public async Task A_small_rehearsal_puts_every_input_in_the_results_exactly_once()
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(RepoPaths.Root, "scripts", "scale-rehearsal.sh"));
        psi.ArgumentList.Add(Images.ToString(System.Globalization.CultureInfo.InvariantCulture));
        psi.ArgumentList.Add("2");
        // The executables this test project carries, so the script builds nothing; small tars and shards so that several
        // of each pass, and 2% corrupt samples, each of which must come back as one errors row.
        psi.Environment["ROBUSTCROP_BIN"] = AppContext.BaseDirectory;
        psi.Environment["TAR_SIZE"] = "80";
        psi.Environment["SHARD_SIZE"] = "48";
        psi.Environment["CORRUPT"] = "0.02";
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var errors = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        await p.WaitForExitAsync(cts.Token);
        string text = await output + await errors;
        Assert.True(p.ExitCode == 0, text);
        string last = (await output).TrimEnd().Split('\n')[^1];
        var m = LastLine().Match(last);
        Assert.True(m.Success, text);
        Assert.Equal(Images, int.Parse(m.Groups["images"].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(Images, int.Parse(m.Groups["rows"].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("0", m.Groups["missing"].Value);
        Assert.Equal("0", m.Groups["duplicates"].Value);
        // The corrupt samples are errors rows, not lost: the check line counts them apart.
        var check = CheckLine().Match(text);
        Assert.True(check.Success, text);
        Assert.True(int.Parse(check.Groups["errors"].Value, System.Globalization.CultureInfo.InvariantCulture) > 0, text);
    }

    [GeneratedRegex(@"^rehearsal: images=(?<images>\d+) rows=(?<rows>\d+) missing=(?<missing>\d+) duplicates=(?<duplicates>\d+) wall_s=[\d.]+ images_per_s=[\d.]+ coordinator_peak_mib=\d+ worker_peak_mib=\d+ aggregate_s=[\d.]+ query_s=[\d.]+ report_s=[\d.]+$")]
    private static partial Regex LastLine();

    [GeneratedRegex(@"\(images (?<images>\d+) \+ errors (?<errors>\d+)\)")]
    private static partial Regex CheckLine();
}
