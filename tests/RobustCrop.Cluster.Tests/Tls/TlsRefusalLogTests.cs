using RobustCrop.Cluster.Hosting.Tls;

namespace RobustCrop.Cluster.Tests.Tls;

public sealed class TlsRefusalLogTests
{
    private const string Source = "Akka.Remote.Transport.DotNetty.TcpServerHandler";
    private const string Peer = "[::ffff:127.0.0.1]:41234";

    // The shape Akka.Remote 1.5.74's handlers log a failed server-side handshake in.
    private const string HandshakeFailed = "TLS handshake failed on channel [[::ffff:127.0.0.1]:4053->" + Peer + "](Id=a1b2)\n"
        + "TLS handshake failed (Server side):\n  Error: The remote certificate was rejected by the provided RemoteCertificateValidationCallback.\n\n"
        + "Server-side TLS troubleshooting:\n  - Verify server certificate has accessible private key\n";

    [Fact]
    public void AkkasMultiLineFailureAndItsRejectionBecomeOneLine()
    {
        var lines = new List<string>();
        var log = new TlsRefusalLog(lines.Add);

        Assert.True(log.TryFold(Source, HandshakeFailed));
        Assert.True(log.TryFold(Source, $"Rejected incoming connection from [{Peer}] due to TLS handshake failure. This is likely invalid or malicious traffic."));

        Assert.Equal($"tls: refused peer {Peer}: The remote certificate was rejected by the provided RemoteCertificateValidationCallback.", Assert.Single(lines));
    }

    [Fact]
    public void TheValidatorsReasonComesFirstAndWins()
    {
        var lines = new List<string>();
        var log = new TlsRefusalLog(lines.Add);

        log.Refused(Peer, "certificate 'CN=x' is not issued by this cluster's CA");
        log.TryFold(Source, HandshakeFailed);

        Assert.Equal($"tls: refused peer {Peer}: certificate 'CN=x' is not issued by this cluster's CA", Assert.Single(lines));
    }

    [Fact]
    public void APeerRefusedAgainLaterIsReportedAgain()
    {
        var lines = new List<string>();
        var time = new ManualTime();
        var log = new TlsRefusalLog(lines.Add, time);

        log.Refused(Peer, "a");
        time.Advance(TimeSpan.FromSeconds(11));
        log.Refused(Peer, "b");
        log.Refused("[::ffff:127.0.0.1]:50000", "c");

        Assert.Equal(3, lines.Count);
    }

    [Fact]
    public void OtherLogLinesAreLeftAlone() =>
        Assert.False(new TlsRefusalLog(_ => { }).TryFold("Akka.Cluster.Cluster", "Cluster Node [akka.ssl.tcp://robustcrop@127.0.0.1:4053] - Welcome"));

    // A clock the test moves (one method; not worth a package the project does not otherwise use here).
    private sealed class ManualTime : TimeProvider
    {
        private DateTimeOffset _now = DateTimeOffset.UtcNow;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
