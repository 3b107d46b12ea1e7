using System.Collections.Immutable;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace RobustCrop.Cluster.Hosting.Tls;

/// <summary>
/// A node's loaded TLS identity and the rule it applies to every peer, inbound and outbound: the peer's certificate
/// must chain to one of <see cref="Authorities"/> (only those: the machine's own roots are not trusted), be within its
/// validity period and be meant for both server and client authentication (each node is both), or, when thumbprints are
/// pinned, be one of them. Checking never goes to the network: a peer's certificate is untrusted until checked, and the
/// URLs it names (AIA caIssuers, CRL, OCSP) would have this node fetch what the peer chooses, once per handshake. Host
/// names are not checked (nodes are reached by IP or by Kubernetes names the certificates need not list); revocation is
/// checked only against CRLs already on the machine (a private CA usually publishes none).
/// </summary>
public sealed class ClusterTlsIdentity(X509Certificate2 certificate, ImmutableArray<X509Certificate2> authorities, ImmutableArray<string> pins)
{
    public X509Certificate2 Certificate { get; } = certificate;

    public ImmutableArray<X509Certificate2> Authorities { get; } = authorities;

    public ImmutableArray<string> PinnedThumbprints { get; } = pins;

    /// <summary>Null when the peer is accepted, else why not (one line, for the refusal log).</summary>
    public string? Refusal(X509Certificate2? peer)
    {
        if (peer is null) return "it presented no client certificate";
        string who = $"certificate '{peer.Subject}' (issuer '{peer.Issuer}', SHA-1 {peer.Thumbprint})";
        if (!PinnedThumbprints.IsEmpty)
        {
            string sha256 = Convert.ToHexString(peer.GetCertHash(HashAlgorithmName.SHA256));
            if (!PinnedThumbprints.Contains(peer.Thumbprint, StringComparer.OrdinalIgnoreCase) && !PinnedThumbprints.Contains(sha256, StringComparer.OrdinalIgnoreCase))
                return $"{who} is not a pinned --tls-peer-thumbprint";
            return ValidityProblem(peer) is { } expired ? $"{who} {expired}" : PurposeProblem(peer) is { } use ? $"{who} {use}" : null;
        }
        if (PurposeProblem(peer) is { } purpose) return $"{who} {purpose}";
        using var chain = new X509Chain();
        var policy = chain.ChainPolicy;
        policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        policy.CustomTrustStore.AddRange(Authorities.ToArray());
        policy.DisableCertificateDownloads = true;
        policy.RevocationMode = X509RevocationMode.Offline;
        policy.VerificationFlags = X509VerificationFlags.IgnoreEndRevocationUnknown | X509VerificationFlags.IgnoreCertificateAuthorityRevocationUnknown;
        policy.ApplicationPolicy.Add(new Oid(ServerAuthentication));
        policy.ApplicationPolicy.Add(new Oid(ClientAuthentication));
        if (chain.Build(peer)) return null;
        var status = chain.ChainElements.Count > 0
            ? chain.ChainElements.SelectMany(e => e.ChainElementStatus).Select(s => s.Status).Distinct().ToList()
            : chain.ChainStatus.Select(s => s.Status).Distinct().ToList();
        return status is [X509ChainStatusFlags.NotValidForUsage]
            ? $"{who} is not valid for both server and client authentication (extended key usage)"
            : $"{who} is not issued by this cluster's CA ({string.Join(", ", status)})";
    }

    /// <summary>id-kp-serverAuth and id-kp-clientAuth (RFC 5280 4.2.1.12).</summary>
    public const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";

    public const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";

    /// <summary>
    /// Null when the certificate may authenticate both ends of a connection: no extended key usage (any purpose, RFC 5280)
    /// or one naming both. A pinned certificate is held to it too; a chain is checked again by <see cref="X509Chain"/>.
    /// </summary>
    public static string? PurposeProblem(X509Certificate2 c)
    {
        var eku = c.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault();
        if (eku is null) return null;
        var usages = eku.EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value).ToHashSet(StringComparer.Ordinal);
        return usages.Contains(ServerAuthentication) && usages.Contains(ClientAuthentication)
            ? null : "is not valid for both server and client authentication (extended key usage)";
    }

    /// <summary>The callback Akka.Remote calls during each handshake; its own SslPolicyErrors are ignored on purpose
    /// (they judge against the machine's roots and the host name, neither of which is this cluster's rule).</summary>
    internal bool Validate(X509Certificate2? peer, X509Chain? chain, string remote, SslPolicyErrors errors, TlsRefusalLog refusals)
    {
        if (Refusal(peer) is not { } why) return true;
        refusals.Refused(remote, why);
        return false;
    }

    private static string? ValidityProblem(X509Certificate2 c)
    {
        var now = DateTime.UtcNow;
        return now < c.NotBefore.ToUniversalTime() || now > c.NotAfter.ToUniversalTime()
            ? $"is valid only from {c.NotBefore.ToUniversalTime():u} to {c.NotAfter.ToUniversalTime():u}" : null;
    }
}
