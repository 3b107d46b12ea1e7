using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace RobustCrop.Cluster.Hosting.Tls;

/// <summary>
/// Mutual TLS between cluster nodes: this node's PKCS#12 file (its certificate, private key and the cluster CA) and,
/// optionally, the thumbprints peers are pinned to instead of the CA. The password comes from the host's environment
/// (<see cref="PasswordVariable"/>), never from a flag, and is left out of <see cref="ToString"/>.
/// </summary>
/// <param name="PeerThumbprints">SHA-1 (40 hex) or SHA-256 (64 hex) thumbprints; empty = peers must chain to the CA in the file.</param>
public sealed record ClusterTlsSettings(string CertificatePath, string? Password, ImmutableArray<string> PeerThumbprints)
{
    public const string PasswordVariable = "ROBUSTCROP_TLS_PASSWORD";

    /// <summary>From the options as typed: <paramref name="thumbprints"/> is a comma-separated list or null.</summary>
    public static ClusterTlsSettings FromOptions(string certificatePath, string? thumbprints, Func<string, string?> environment)
    {
        var pins = (thumbprints ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(NormalizeThumbprint).ToImmutableArray();
        return new ClusterTlsSettings(certificatePath, environment(PasswordVariable) is { Length: > 0 } p ? p : null, pins);
    }

    /// <summary>Hex digits only, upper case; an <see cref="ArgumentException"/> naming the option when it is not a thumbprint.</summary>
    public static string NormalizeThumbprint(string text)
    {
        string hex = new([.. text.Where(c => c is not (':' or ' '))]);
        if (hex.Length is not (40 or 64) || !hex.All(Uri.IsHexDigit))
            throw new ArgumentException($"--tls-peer-thumbprint needs a SHA-1 (40 hex digits) or SHA-256 (64 hex digits) thumbprint; got '{text}'");
        return hex.ToUpperInvariant();
    }

    /// <summary>
    /// Reads the file: this node's certificate with its private key, and the CA certificates it holds (the trust anchors).
    /// Every problem is an <see cref="ArgumentException"/> whose message is one line, so a host can print it and exit 2
    /// before it starts anything.
    /// </summary>
    public ClusterTlsIdentity Load(TimeProvider? time = null)
    {
        if (!File.Exists(CertificatePath)) throw new ArgumentException($"--tls-cert: no such file '{CertificatePath}'");
        X509Certificate2Collection all;
        try
        {
            all = X509CertificateLoader.LoadPkcs12CollectionFromFile(CertificatePath, Password, X509KeyStorageFlags.EphemeralKeySet);
        }
        catch (CryptographicException)
        {
            // The exception's text says "password incorrect" or names an ASN.1 error; neither carries the password.
            throw new ArgumentException($"--tls-cert '{CertificatePath}': not a PKCS#12 file, or the password (from {PasswordVariable}) is wrong");
        }
        catch (IOException e)
        {
            throw new ArgumentException($"--tls-cert '{CertificatePath}': cannot read it ({e.Message})");
        }
        catch (UnauthorizedAccessException)
        {
            throw new ArgumentException($"--tls-cert '{CertificatePath}': permission denied");
        }
        var own = all.FirstOrDefault(c => c.HasPrivateKey)
            ?? throw new ArgumentException($"--tls-cert '{CertificatePath}': holds no certificate with its private key");
        var now = (time ?? TimeProvider.System).GetUtcNow();
        if (now < own.NotBefore.ToUniversalTime() || now > own.NotAfter.ToUniversalTime())
            throw new ArgumentException($"--tls-cert '{CertificatePath}': the certificate {own.Subject} is valid only from {own.NotBefore.ToUniversalTime():u} to {own.NotAfter.ToUniversalTime():u}");
        var authorities = all.Where(c => !ReferenceEquals(c, own) && IsAuthority(c)).ToImmutableArray();
        if (authorities.IsEmpty && PeerThumbprints.IsDefaultOrEmpty)
            throw new ArgumentException($"--tls-cert '{CertificatePath}': holds no CA certificate to check peers against; put the cluster CA in the file or pin peers with --tls-peer-thumbprint");
        return new ClusterTlsIdentity(own, authorities, PeerThumbprints.IsDefault ? [] : PeerThumbprints);
    }

    /// <summary>Loads the file once and lets it go: what a host calls before it starts anything, so a bad file is exit 2.</summary>
    public void Check()
    {
        var identity = Load();
        identity.Certificate.Dispose();
        foreach (var authority in identity.Authorities) authority.Dispose();
    }

    private static bool IsAuthority(X509Certificate2 c) =>
        c.Extensions.OfType<X509BasicConstraintsExtension>().Any(b => b.CertificateAuthority);

    // A record prints every property; the password must not reach a log through it.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"CertificatePath = {CertificatePath}, Password = {(Password is null ? "(none)" : "***")}, PeerThumbprints = [{string.Join(", ", PeerThumbprints.IsDefault ? [] : PeerThumbprints)}]");
        return true;
    }
}
