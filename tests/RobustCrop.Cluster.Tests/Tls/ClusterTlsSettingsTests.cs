using System.Security.Cryptography.X509Certificates;
using RobustCrop.Cluster.Hosting.Tls;
using RobustCrop.TestSupport.Tls;

namespace RobustCrop.Cluster.Tests.Tls;

public sealed class ClusterTlsSettingsTests : IDisposable
{
    private const string Password = "s3cret-Pa55";
    private readonly TempDir _dir = new();
    private readonly TestCertificateAuthority _ca = new("settings-test-ca");

    public void Dispose()
    {
        _ca.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public void Loads_the_node_certificate_with_its_key_and_the_ca_as_the_only_trust_anchor()
    {
        var identity = new ClusterTlsSettings(_ca.NodeFile(_dir.Path, "node-a", Password), Password, []).Load();

        Assert.True(identity.Certificate.HasPrivateKey);
        Assert.Equal("CN=node-a", identity.Certificate.Subject);
        Assert.Equal(_ca.Certificate.Thumbprint, Assert.Single(identity.Authorities).Thumbprint);
    }

    [Fact]
    public void The_ca_accepts_its_own_nodes_and_refuses_another_cas_and_expired_ones()
    {
        var identity = new ClusterTlsSettings(_ca.NodeFile(_dir.Path, "node-a"), null, []).Load();
        using var sibling = _ca.Issue("node-b");
        using var other = new TestCertificateAuthority("other-ca");
        using var stranger = other.Issue("node-b");
        using var expired = _ca.Issue("old", DateTimeOffset.UtcNow.AddDays(-3), DateTimeOffset.UtcNow.AddDays(-1));

        Assert.Null(identity.Refusal(sibling));
        Assert.Contains("is not issued by this cluster's CA", identity.Refusal(stranger));
        Assert.NotNull(identity.Refusal(expired));
        Assert.Equal("it presented no client certificate", identity.Refusal(null));
    }

    [Fact]
    public void Pins_replace_the_ca()
    {
        using var pinned = _ca.Issue("pinned");
        using var sibling = _ca.Issue("sibling");
        var identity = ClusterTlsSettings.FromOptions(_ca.NodeFile(_dir.Path, "node-a"), pinned.Thumbprint.ToLowerInvariant(), _ => null).Load();

        Assert.Null(identity.Refusal(pinned));
        Assert.Contains("is not a pinned --tls-peer-thumbprint", identity.Refusal(sibling));
    }

    [Fact]
    public void The_wrong_password_is_one_line_that_does_not_repeat_it()
    {
        string path = _ca.NodeFile(_dir.Path, "node-a", Password);
        var e = Assert.Throws<ArgumentException>(() => new ClusterTlsSettings(path, "wrong-guess-123", []).Load());

        Assert.Contains("password (from ROBUSTCROP_TLS_PASSWORD) is wrong", e.Message);
        Assert.DoesNotContain("wrong-guess-123", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("garbage")]
    [InlineData("no-ca")]
    [InlineData("no-key")]
    public void An_unusable_file_is_one_line_naming_the_option(string kind)
    {
        using var node = _ca.Issue("node-a");
        string path = kind switch
        {
            "missing" => Path.Combine(_dir.Path, "nope.p12"),
            "garbage" => _dir.File("garbage.p12", "not a certificate"),
            "no-ca" => TestCertificateAuthority.WriteAlone(_dir.Path, "alone.p12", node),
            _ => _dir.File("public.p12", X509CertificateLoader.LoadCertificate(node.RawData).Export(X509ContentType.Pkcs12)),
        };

        var e = Assert.Throws<ArgumentException>(() => new ClusterTlsSettings(path, null, []).Load());

        Assert.StartsWith("--tls-cert", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void To_string_never_shows_the_password()
    {
        var s = ClusterTlsSettings.FromOptions("node.p12", null, v => v == ClusterTlsSettings.PasswordVariable ? Password : null);

        Assert.Equal(Password, s.Password);
        Assert.DoesNotContain(Password, s.ToString());
        Assert.Contains("node.p12", s.ToString());
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("zz00112233445566778899aabbccddeeff001122")]
    public void A_thumbprint_must_be_sha1_or_sha256_hex(string text) =>
        Assert.StartsWith("--tls-peer-thumbprint", Assert.Throws<ArgumentException>(() => ClusterTlsSettings.NormalizeThumbprint(text)).Message);

    [Fact]
    public void A_thumbprint_may_be_written_with_colons_and_lower_case() =>
        Assert.Equal("00112233445566778899AABBCCDDEEFF00112233", ClusterTlsSettings.NormalizeThumbprint("00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00:11:22:33"));
}
