using RobustCrop.Cluster.Hosting.Tls;
using RobustCrop.TestSupport.Tls;

namespace RobustCrop.Cli.Tests.Cluster;

/// <summary>
/// robustcrop coordinator and robustcrop-worker processes with --tls-cert, certificates made at run time: same-CA nodes
/// run a job; a worker without TLS or with another CA's certificate never gets a shard, and the coordinator names it in
/// one line; an unusable certificate stops a node before it starts.
/// </summary>
[Trait("Category", "Cluster")]
[Collection(ClusterCollection.Name)]
[Trait("Category", "Slow")]
public sealed class ClusterTlsProcessTests : NodeProcessTest
{
    private const string Password = "tls-test-Pa55word";
    private static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(120);
    private static readonly Dictionary<string, string> WithPassword = new() { [ClusterTlsSettings.PasswordVariable] = Password };
    private readonly TestCertificateAuthority _ca = new("robustcrop-process-ca");
    private readonly string _zoo;

    public ClusterTlsProcessTests() => _zoo = NodeProcess.WriteTinyZoo(Tmp.Sub("zoo"));

    protected override void DisposeMore()
    {
        _ca.Dispose();
    }

    private NodeProcess StartCoordinator(int port, string certificate) => Track(NodeProcess.WithEnvironment(false, WithPassword,
        "coordinator", "--listen", $"127.0.0.1:{port}", "--status-seconds", "1", "--tls-cert", certificate,
        "--data", Path.Combine(AppContext.BaseDirectory, "samples", "fashion-mnist"), "--limit", "8", "--shard-size", "4",
        "--zoo", _zoo, "--window", "1", "--threads", "1", "--out", Path.Combine(Tmp.Path, "out"), "--run-id", "tls"));

    private NodeProcess StartWorker(int port, IReadOnlyDictionary<string, string> environment, params string[] more)
        => Track(NodeProcess.WithEnvironment(true, environment, ["--join", $"127.0.0.1:{port}", "--threads", "1", .. more]));

    [Fact]
    public async Task Coordinator_and_worker_with_certificates_of_the_same_ca_complete_a_job()
    {
        int port = NodeProcess.FreePort();
        var coordinator = StartCoordinator(port, _ca.NodeFile(Tmp.Path, "coordinator", Password));
        await NodeProcess.WaitForListenerAsync(port, TimeSpan.FromSeconds(30));
        var worker = StartWorker(port, WithPassword, "--tls-cert", _ca.NodeFile(Tmp.Path, "worker", Password));

        Assert.True(await coordinator.WaitForExitAsync(JobTimeout) == 0, coordinator.Output);
        Assert.Equal(0, await worker.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(File.Exists(Path.Combine(Tmp.Path, "out", "tls", "_SUCCESS")));
        Assert.Contains("akka.ssl.tcp://", coordinator.Output + worker.Output);
        Assert.DoesNotContain(Password, coordinator.Output + worker.Output);
    }

    [Fact]
    public async Task Workers_without_tls_or_with_another_ca_never_join_and_the_coordinator_says_so_in_one_line_each()
    {
        using var otherCa = new TestCertificateAuthority("another-ca");
        int port = NodeProcess.FreePort();
        var coordinator = StartCoordinator(port, _ca.NodeFile(Tmp.Path, "coordinator", Password));
        await NodeProcess.WaitForListenerAsync(port, TimeSpan.FromSeconds(30));
        var plain = StartWorker(port, new Dictionary<string, string>());
        var stranger = StartWorker(port, new Dictionary<string, string>(), "--tls-cert", otherCa.NodeFile(Tmp.Path, "stranger"));

        await coordinator.WaitForOutputAsync(o => o.Contains("it does not speak TLS", StringComparison.Ordinal)
            && o.Contains("is not issued by this cluster's CA", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        await Task.Delay(TimeSpan.FromSeconds(3));

        Assert.False(coordinator.HasExited, coordinator.Output);
        Assert.DoesNotContain("shard_done", coordinator.Output);
        var lines = coordinator.Output.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("tls: refused peer ", StringComparison.Ordinal) && l.Contains("CN=stranger", StringComparison.Ordinal));
        // Akka's own multi-line TLS text and stack traces never reach the coordinator's output.
        Assert.DoesNotContain(lines, l => l.Contains("troubleshooting", StringComparison.Ordinal) || l.TrimStart().StartsWith("at ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_worker_that_rejects_the_coordinators_certificate_stops_at_its_join_timeout_with_one_line_and_exit_three()
    {
        int port = NodeProcess.FreePort();
        var coordinator = StartCoordinator(port, _ca.NodeFile(Tmp.Path, "coordinator", Password));
        await NodeProcess.WaitForListenerAsync(port, TimeSpan.FromSeconds(30));
        // Same CA (the coordinator would take it), but pinned to a certificate the coordinator does not hold.
        using var someoneElse = _ca.Issue("someone-else");
        var worker = StartWorker(port, WithPassword, "--tls-cert", _ca.NodeFile(Tmp.Path, "worker", Password),
            "--tls-peer-thumbprint", someoneElse.Thumbprint, "--join-timeout", "6");

        int exit = await worker.WaitForExitAsync(TimeSpan.FromSeconds(40));

        Assert.True(exit == 3, $"exit {exit}:\n{worker.Output}");
        var lines = NonEmptyLines(worker.Output);
        Assert.DoesNotContain(lines, l => l.Contains("joining again", StringComparison.Ordinal));
        Assert.Single(lines, l => l.StartsWith("worker ", StringComparison.Ordinal) && l.Contains(": joining ", StringComparison.Ordinal));
        string last = Assert.Single(lines, l => l.StartsWith("robustcrop-worker: ", StringComparison.Ordinal));
        Assert.Contains("within 6 s (--join-timeout)", last);
        Assert.Contains("is not a pinned --tls-peer-thumbprint", last);
    }

    [Fact]
    public async Task An_unusable_certificate_stops_the_node_before_it_starts_with_one_line_and_exit_two()
    {
        int port = NodeProcess.FreePort();
        var coordinator = Track(NodeProcess.WithEnvironment(false, WithPassword, "coordinator", "--listen", $"127.0.0.1:{port}",
            "--data", Path.Combine(AppContext.BaseDirectory, "samples", "fashion-mnist"), "--zoo", _zoo, "--out", Path.Combine(Tmp.Path, "out"),
            "--tls-cert", Path.Combine(Tmp.Path, "missing.p12")));
        var wrongPassword = StartWorker(port, new Dictionary<string, string> { [ClusterTlsSettings.PasswordVariable] = "not-the-password" },
            "--tls-cert", _ca.NodeFile(Tmp.Path, "worker", Password));

        Assert.Equal(2, await coordinator.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(2, await wrongPassword.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("--tls-cert: no such file", Assert.Single(NonEmptyLines(coordinator.Output)));
        string line = Assert.Single(NonEmptyLines(wrongPassword.Output));
        Assert.Contains("the password (from ROBUSTCROP_TLS_PASSWORD) is wrong", line);
        Assert.DoesNotContain("not-the-password", line);
    }

    private static string[] NonEmptyLines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
