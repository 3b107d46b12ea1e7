using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace RobustCrop.TestSupport.Tls;

/// <summary>
/// A throw-away certificate authority made at run time (nothing is committed): it issues node certificates and writes
/// them as PKCS#12 files holding the node's certificate, its private key and the CA certificate, as an operator's
/// secret would.
/// </summary>
public sealed class TestCertificateAuthority : IDisposable
{
    private readonly RSA _key = RSA.Create(2048);

    public TestCertificateAuthority(string name)
    {
        var request = new CertificateRequest($"CN={name}", _key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        Certificate = request.CreateSelfSigned(now.AddDays(-30), now.AddDays(30));
    }

    /// <summary>The CA's own certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>A node certificate signed by this CA (server and client authentication), with its private key.</summary>
    /// <param name="usages">Extended key usage OIDs instead of server + client authentication; empty = no such extension.</param>
    /// <param name="caIssuers">An AIA caIssuers URL (where a chain builder may fetch the issuer from), as a hostile peer would set.</param>
    public X509Certificate2 Issue(string name, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null,
        string[]? usages = null, Uri? caIssuers = null)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        usages ??= ["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"];
        if (usages.Length > 0)
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([.. usages.Select(u => new Oid(u))], false));
        if (caIssuers is not null)
            request.CertificateExtensions.Add(new X509AuthorityInformationAccessExtension(null, [caIssuers.AbsoluteUri], false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(name);
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        var now = DateTimeOffset.UtcNow;
        byte[] serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var issued = request.Create(Certificate, notBefore ?? now.AddMinutes(-5), notAfter ?? now.AddHours(12), serial);
        return issued.CopyWithPrivateKey(key);
    }

    /// <summary>Writes <paramref name="node"/> (with its key) and this CA's certificate (without its key) as PKCS#12.</summary>
    public string WritePkcs12(string folder, string fileName, X509Certificate2 node, string? password)
    {
        using var caPublic = X509CertificateLoader.LoadCertificate(Certificate.RawData);
        var collection = new X509Certificate2Collection { node, caPublic };
        string path = Path.Combine(folder, fileName);
        File.WriteAllBytes(path, collection.Export(X509ContentType.Pkcs12, password)!);
        return path;
    }

    /// <summary>Issues a node certificate and writes it with the CA as PKCS#12 in one go.</summary>
    public string NodeFile(string folder, string name, string? password = null)
    {
        using var node = Issue(name);
        return WritePkcs12(folder, name + ".p12", node, password);
    }

    /// <summary>A node certificate alone (no CA in the file): for thumbprint pinning.</summary>
    public static string WriteAlone(string folder, string fileName, X509Certificate2 node, string? password = null)
    {
        string path = Path.Combine(folder, fileName);
        File.WriteAllBytes(path, node.Export(X509ContentType.Pkcs12, password));
        return path;
    }

    public void Dispose()
    {
        Certificate.Dispose();
        _key.Dispose();
    }
}
