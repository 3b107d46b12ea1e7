using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Remote.Transport.DotNetty;
using RobustCrop.Cluster.Hosting;
using RobustCrop.Cluster.Hosting.Tls;
using RobustCrop.TestSupport.Tls;
using Xunit.Abstractions;

namespace RobustCrop.Cluster.Tests.Tls;

/// <summary>
/// Real nodes on loopback with certificates made at run time: who may join a TLS cluster and what the coordinator says
/// about those who may not.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class ClusterTlsTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan JoinWithin = TimeSpan.FromSeconds(30);
    // Long enough for a worker's first InitJoin and its retries (every few seconds) to have been refused.
    private static readonly TimeSpan RefusedFor = TimeSpan.FromSeconds(8);

    private readonly TempDir _dir = new();
    private readonly TestCertificateAuthority _ca = new("robustcrop-test-ca");
    private readonly TestCertificateAuthority _otherCa = new("some-other-ca");

    public void Dispose()
    {
        _ca.Dispose();
        _otherCa.Dispose();
        _dir.Dispose();
    }

    private static ClusterTlsSettings Tls(string path, string? password = null, params string[] pins) => new(path, password, [.. pins]);

    [Fact]
    public async Task Nodes_with_certificates_from_the_same_ca_form_a_cluster()
    {
        await using var coordinator = await TlsTestNode.Seed(Tls(_ca.NodeFile(_dir.Path, "coordinator", "pw-1"), "pw-1"));
        await using var worker = await TlsTestNode.Joining(coordinator, Tls(_ca.NodeFile(_dir.Path, "worker-1")));

        Assert.True(await TlsTestNode.Eventually(() => coordinator.UpMembers == 2 && worker.UpMembers == 2, JoinWithin),
            "same-CA nodes did not form a cluster; coordinator log:\n" + string.Join('\n', coordinator.Log));
        Assert.Equal("akka.ssl.tcp", Akka.Cluster.Cluster.Get(coordinator.System).SelfAddress.Protocol);
        Assert.DoesNotContain(coordinator.Log, l => l.StartsWith("tls:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Node_without_tls_cannot_join_and_the_coordinator_says_so_in_one_line()
    {
        await using var coordinator = await TlsTestNode.Seed(Tls(_ca.NodeFile(_dir.Path, "coordinator")));
        // A plain node is told the TLS address's port; it speaks plain TCP to it.
        await using var plain = await TlsTestNode.Joining(coordinator, tls: null);

        await AssertRefused(coordinator, () => plain.UpMembers, reasonPart: "it does not speak TLS");
    }

    [Fact]
    public async Task Node_with_certificate_from_another_ca_cannot_join()
    {
        await using var coordinator = await TlsTestNode.Seed(Tls(_ca.NodeFile(_dir.Path, "coordinator")));
        await using var stranger = await TlsTestNode.Joining(coordinator, Tls(_otherCa.NodeFile(_dir.Path, "stranger")));

        // Which end gives up first depends on the TLS version's message order; either way the coordinator names the peer.
        await AssertRefused(coordinator, () => stranger.UpMembers, reasonPart: null);
    }

    [Fact]
    public async Task Client_that_trusts_any_server_is_still_refused_by_the_coordinators_check_of_its_certificate()
    {
        // As an attacker would: it skips checking the server so the handshake reaches the coordinator's own check.
        await using var coordinator = await TlsTestNode.Seed(Tls(_ca.NodeFile(_dir.Path, "coordinator")));
        using var rogueCert = _otherCa.Issue("rogue");
        var config = ConfigurationFactory.ParseString($$"""
            akka.actor.provider = cluster
            akka.loglevel = WARNING
            akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0, enable-ssl = true }
            akka.cluster.seed-nodes = ["akka.ssl.tcp://{{ClusterNodeSettings.SystemName}}@127.0.0.1:{{coordinator.Port}}"]
            """);
        var setup = BootstrapSetup.Create().WithConfig(config)
            .And(new DotNettySslSetup(rogueCert, suppressValidation: true, requireMutualAuthentication: true));
        using var rogue = ActorSystem.Create(ClusterNodeSettings.SystemName, setup);

        await AssertRefused(coordinator, () => Akka.Cluster.Cluster.Get(rogue).State.Members.Count, reasonPart: "is not issued by this cluster's CA");
        Assert.Contains(coordinator.Log, l => l.Contains("CN=rogue", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Pinned_thumbprints_admit_the_pinned_peer_without_any_ca()
    {
        using var coordinatorCert = _ca.Issue("coordinator");
        using var workerCert = _ca.Issue("worker-1");
        // Files without the CA: only the pins can admit a peer.
        string coordinatorFile = TestCertificateAuthority.WriteAlone(_dir.Path, "c.p12", coordinatorCert);
        string workerFile = TestCertificateAuthority.WriteAlone(_dir.Path, "w.p12", workerCert);
        await using var coordinator = await TlsTestNode.Seed(Tls(coordinatorFile, null, workerCert.Thumbprint));
        string sha256 = Convert.ToHexString(coordinatorCert.GetCertHash(System.Security.Cryptography.HashAlgorithmName.SHA256));
        await using var worker = await TlsTestNode.Joining(coordinator, Tls(workerFile, null, sha256));

        Assert.True(await TlsTestNode.Eventually(() => coordinator.UpMembers == 2, JoinWithin),
            "pinned peers did not form a cluster; coordinator log:\n" + string.Join('\n', coordinator.Log));
    }

    [Fact]
    public async Task Pinned_thumbprint_refuses_another_certificate_of_the_same_ca()
    {
        using var expected = _ca.Issue("the-pinned-worker");
        await using var coordinator = await TlsTestNode.Seed(Tls(_ca.NodeFile(_dir.Path, "coordinator"), null, expected.Thumbprint));
        // Same CA, so the worker trusts the coordinator and sends its certificate: the coordinator's pin decides.
        await using var other = await TlsTestNode.Joining(coordinator, Tls(_ca.NodeFile(_dir.Path, "another-worker")));

        await AssertRefused(coordinator, () => other.UpMembers, reasonPart: "is not a pinned --tls-peer-thumbprint");
    }

    /// <summary>The peer never becomes a member, the coordinator keeps running, and what it logs about the peer is one
    /// line per refused connection (no Akka multi-line text, no stack trace).</summary>
    private async Task AssertRefused(TlsTestNode coordinator, Func<int> peerMembers, string? reasonPart)
    {
        Assert.True(await TlsTestNode.Eventually(() => coordinator.Log.Any(l => l.StartsWith("tls: refused peer ", StringComparison.Ordinal)), JoinWithin),
            "no refusal line; coordinator log:\n" + string.Join('\n', coordinator.Log));
        await Task.Delay(RefusedFor);
        Assert.Equal(1, coordinator.UpMembers);
        Assert.True(peerMembers() <= 1, "the refused peer sees a cluster with the coordinator in it");
        Assert.False(coordinator.System.WhenTerminated.IsCompleted, "the coordinator stopped");
        var refusals = coordinator.Log.Where(l => l.StartsWith("tls: refused peer ", StringComparison.Ordinal)).ToList();
        foreach (var line in refusals) output.WriteLine(line);
        Assert.All(refusals, l => Assert.DoesNotContain('\n', l));
        if (reasonPart is not null) Assert.Contains(refusals, l => l.Contains(reasonPart, StringComparison.Ordinal));
        Assert.DoesNotContain(coordinator.Log, l => l.Contains("TLS handshake failed on channel", StringComparison.Ordinal)
            || l.Contains("troubleshooting", StringComparison.Ordinal) || l.Contains("Rejected incoming connection", StringComparison.Ordinal));
    }
}
