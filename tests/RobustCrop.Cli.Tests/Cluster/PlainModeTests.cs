namespace RobustCrop.Cli.Tests.Cluster;

/// <summary>
/// A coordinator without --tls-cert (issue 23 item 16): refused with --public-host unless --insecure, and it says it
/// runs plain TCP; /metrics and /status stay on loopback unless a metrics host is named.
/// </summary>
public sealed class PlainModeTests
{
    [Fact]
    public async Task A_public_host_without_tls_is_one_line_and_exit_two_unless_insecure()
    {
        var run = await CliHarness.RunAsync("coordinator", "--listen", "0.0.0.0:4053", "--public-host", "coordinator.example");

        Assert.Equal(2, run.ExitCode);
        string line = Assert.Single(run.ErrLines);
        Assert.StartsWith("robustcrop: --public-host without --tls-cert", line);
        Assert.Contains("--insecure", line);
    }

    [Fact]
    public void Insecure_admits_a_public_host_and_metrics_stay_on_loopback_unless_named()
    {
        var root = CommandRouter.Build(Options.CliConsole.ForWriters(TextWriter.Null, TextWriter.Null));

        var insecure = root.Parse(["coordinator", "--listen", "0.0.0.0:4053", "--public-host", "c", "--insecure"]);
        Assert.Empty(insecure.Errors);
        Assert.Equal("127.0.0.1", insecure.GetValue<string>("--metrics-host"));
        Assert.Equal("0.0.0.0", root.Parse(["coordinator", "--listen", "127.0.0.1:4053", "--metrics-host", "0.0.0.0"]).GetValue<string>("--metrics-host"));
        Assert.Empty(root.Parse(["coordinator", "--listen", "0.0.0.0:4053", "--public-host", "c", "--tls-cert", "node.p12"]).Errors);
    }

    [Fact]
    public async Task A_plain_coordinator_says_so_in_one_line_at_start()
    {
        var run = await CliHarness.RunAsync("coordinator", "--listen", "127.0.0.1:1", "--data", Path.Combine(Path.GetTempPath(), "robustcrop-no-such-data"));

        Assert.Single(run.ErrLines, l => l.StartsWith("coordinator: plain TCP without TLS (no --tls-cert)", StringComparison.Ordinal)
            && l.Contains("127.0.0.1:1", StringComparison.Ordinal));
    }
}
