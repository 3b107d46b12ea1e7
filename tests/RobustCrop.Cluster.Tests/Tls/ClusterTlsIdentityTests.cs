using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using RobustCrop.Cluster.Hosting.Tls;
using RobustCrop.TestSupport.Tls;

namespace RobustCrop.Cluster.Tests.Tls;

/// <summary>
/// What a peer's certificate can make this node do while it is being checked (issue 23 item 14): nothing on the
/// network, whatever URLs it names; and a certificate meant for another purpose is refused.
/// </summary>
public sealed class ClusterTlsIdentityTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly TestCertificateAuthority _ca = new("identity-test-ca");

    public void Dispose()
    {
        _ca.Dispose();
        _dir.Dispose();
    }

    private ClusterTlsIdentity Identity(string? pin = null) =>
        ClusterTlsSettings.FromOptions(_ca.NodeFile(_dir.Path, "node-a"), pin, _ => null).Load();

    [Fact]
    public async Task A_certificate_naming_its_issuers_url_is_refused_without_fetching_it()
    {
        // The issuer the peer names, served on loopback: every connection to it is counted.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        int connections = 0;
        using var serving = new CancellationTokenSource();
        var server = Task.Run(async () =>
        {
            while (!serving.IsCancellationRequested)
            {
                using var client = await listener.AcceptTcpClientAsync(serving.Token);
                Interlocked.Increment(ref connections);
                await client.GetStream().WriteAsync("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray(), serving.Token);
            }
        });
        using var other = new TestCertificateAuthority("unknown-issuer");
        using var peer = other.Issue("prober", caIssuers: new Uri($"http://127.0.0.1:{port}/issuer.cer"));
        var identity = Identity();

        var clock = Stopwatch.StartNew();
        string? refusal = identity.Refusal(peer);
        clock.Stop();
        await Task.Delay(200);
        await serving.CancelAsync();
        await server.ContinueWith(_ => { }, TaskScheduler.Default);

        Assert.Contains("is not issued by this cluster's CA", refusal);
        Assert.Equal(0, Volatile.Read(ref connections));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"the check took {clock.Elapsed}");
    }

    [Theory]
    [InlineData(ClusterTlsIdentity.ServerAuthentication)]
    [InlineData(ClusterTlsIdentity.ClientAuthentication)]
    [InlineData("1.3.6.1.5.5.7.3.3")] // code signing
    public void A_certificate_of_the_cluster_ca_for_another_purpose_is_refused(string usage)
    {
        using var peer = _ca.Issue("narrow", usages: [usage]);

        Assert.Contains("is not valid for both server and client authentication", Identity().Refusal(peer));
    }

    [Fact]
    public void A_certificate_for_both_purposes_or_without_a_stated_purpose_is_accepted()
    {
        using var both = _ca.Issue("both");
        using var any = _ca.Issue("any", usages: []);

        Assert.Null(Identity().Refusal(both));
        Assert.Null(Identity().Refusal(any));
    }

    [Fact]
    public void A_pinned_certificate_is_held_to_its_purpose_too()
    {
        using var peer = _ca.Issue("pinned-narrow", usages: [ClusterTlsIdentity.ServerAuthentication]);

        Assert.Contains("is not valid for both server and client authentication", Identity(peer.Thumbprint).Refusal(peer));
    }
}
