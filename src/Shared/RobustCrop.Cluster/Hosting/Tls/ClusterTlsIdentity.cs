using System.Collections.Immutable;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace RobustCrop.Cluster.Hosting.Tls;

/// <summary>
/// A node's loaded TLS identity and the rule it applies to every peer, inbound and outbound: the peer's certificate
/// must chain to one of <see cref="Authorities"/> (only those: the machine's own roots are not trusted) and be within
/// its validity period, or, when thumbprints are pinned, be one of them. Host names are not checked (nodes are reached
/// by IP or by Kubernetes names the certificates need not list); revocation is not checked (a private CA has no CRL).
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
            return ValidityProblem(peer) is { } expired ? $"{who} {expired}" : null;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(Authorities.ToArray());
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.NoFlag;
        if (chain.Build(peer)) return null;
        var status = chain.ChainElements.Count > 0
            ? chain.ChainElements.SelectMany(e => e.ChainElementStatus).Select(s => s.Status).Distinct()
            : chain.ChainStatus.Select(s => s.Status).Distinct();
        return $"{who} is not issued by this cluster's CA ({string.Join(", ", status)})";
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
