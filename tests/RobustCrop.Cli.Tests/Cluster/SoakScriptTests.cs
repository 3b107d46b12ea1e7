using System.Diagnostics;

namespace RobustCrop.Cli.Tests.Cluster;

/// <summary>A few rounds of <c>scripts/soak-cluster.sh</c> (coordinator and two workers started at the same instant) in the suite.</summary>
[Trait("Category", "Cluster")]
[Collection(ClusterCollection.Name)]
[Trait("Category", "Slow")]
public sealed class SoakScriptTests
{
    [Fact]
    public async Task Three_rounds_started_at_the_same_instant_complete_with_no_stall()
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(RepoPaths.Root, "scripts", "soak-cluster.sh"));
        psi.ArgumentList.Add("3");
        // The executables this test project carries, so the script builds nothing.
        psi.Environment["ROBUSTCROP_BIN"] = AppContext.BaseDirectory;
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var errors = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(6));
        await p.WaitForExitAsync(cts.Token);
        string text = await output + await errors;
        Assert.True(p.ExitCode == 0, text);
        Assert.Matches(@"soak rounds=3 completed=3 stalls=0 ", text);
    }
}
