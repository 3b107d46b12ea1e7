using RobustCrop.Cluster.Hosting.Tls;

namespace RobustCrop.Cluster.Tests.Tls;

public sealed class TlsRefusalLogTests
{
    private const string Source = "Akka.Remote.Transport.DotNetty.TcpServerHandler";
    private const string Peer = "[::ffff:127.0.0.1]:41234";

    // The shape Akka.Remote 1.5.75's handlers log a failed server-side handshake in.
    private const string HandshakeFailed = "TLS handshake failed on channel [[::ffff:127.0.0.1]:4053->" + Peer + "](Id=a1b2)\n"
        + "TLS handshake failed (Server side):\n  Error: The remote certificate was rejected by the provided RemoteCertificateValidationCallback.\n\n"
        + "Server-side TLS troubleshooting:\n  - Verify server certificate has accessible private key\n";

    [Fact]
    public void Akkas_multi_line_failure_and_its_rejection_become_one_line()
    {
        var lines = new List<string>();
        var log = new TlsRefusalLog(lines.Add);

        Assert.True(log.TryFold(Source, HandshakeFailed));
        Assert.True(log.TryFold(Source, $"Rejected incoming connection from [{Peer}] due to TLS handshake failure. This is likely invalid or malicious traffic."));

        Assert.Equal($"tls: refused peer {Peer}: The remote certificate was rejected by the provided RemoteCertificateValidationCallback.", Assert.Single(lines));
    }

    [Fact]
    public void The_validators_reason_comes_first_and_wins()
    {
        var lines = new List<string>();
        var log = new TlsRefusalLog(lines.Add);

        log.Refused(Peer, "certificate 'CN=x' is not issued by this cluster's CA");
        log.TryFold(Source, HandshakeFailed);

        Assert.Equal($"tls: refused peer {Peer}: certificate 'CN=x' is not issued by this cluster's CA", Assert.Single(lines));
    }

    [Fact]
    public void A_peer_is_reported_once_per_minute_whatever_port_it_comes_from()
    {
        var lines = new List<string>();
        var time = new ManualTime();
        var log = new TlsRefusalLog(lines.Add, time);

        log.Refused(Peer, "a");
        // A prober's next connections: new ports of the same host, the same certificate, within the minute.
        for (int port = 50000; port < 50100; port++)
        {
            log.Refused($"[::ffff:127.0.0.1]:{port}", "a");
            log.TryFold(Source, $"Rejected incoming connection from [[::ffff:127.0.0.1]:{port}] due to TLS handshake failure.");
        }
        time.Advance(TimeSpan.FromSeconds(59));
        log.Refused("[::ffff:127.0.0.1]:50200", "a");
        Assert.Single(lines);

        // Another node on the same host, refused for another reason, and another host: a line each.
        log.Refused("[::ffff:127.0.0.1]:50300", "it does not speak TLS");
        log.Refused("[::ffff:127.0.0.2]:50000", "a");
        time.Advance(TimeSpan.FromSeconds(2));
        log.Refused(Peer, "a");

        Assert.Equal(["tls: refused peer " + Peer + ": a", "tls: refused peer [::ffff:127.0.0.1]:50300: it does not speak TLS",
            "tls: refused peer [::ffff:127.0.0.2]:50000: a", "tls: refused peer " + Peer + ": a"], lines);
    }

    [Theory]
    [InlineData("[::ffff:127.0.0.1]:41234", "::ffff:127.0.0.1")]
    [InlineData("127.0.0.1:41234", "127.0.0.1")]
    [InlineData("worker-0.robustcrop:4053", "worker-0.robustcrop")]
    [InlineData("::1", "::1")]
    public void A_peers_host_is_its_endpoint_without_the_port(string endpoint, string host) => Assert.Equal(host, TlsRefusalLog.HostOf(endpoint));

    [Fact]
    public void Other_log_lines_are_left_alone() =>
        Assert.False(new TlsRefusalLog(_ => { }).TryFold("Akka.Cluster.Cluster", "Cluster Node [akka.ssl.tcp://robustcrop@127.0.0.1:4053] - Welcome"));

    // A clock the test moves (one method; not worth a package the project does not otherwise use here).
    private sealed class ManualTime : TimeProvider
    {
        private DateTimeOffset _now = DateTimeOffset.UtcNow;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
