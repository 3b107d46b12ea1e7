using System.Collections.Immutable;
using System.Globalization;
using RobustCrop.Cluster.Hosting.Tls;

namespace RobustCrop.Cluster.Hosting;

/// <summary>
/// Where a node listens and whom it joins. Remoting binds to <see cref="BindHost"/> (127.0.0.1 unless told otherwise);
/// <see cref="PublicHost"/> is the name other machines use to reach it. Port 0 picks a free port.
/// </summary>
/// <param name="Seeds">HOST:PORT of nodes to join; empty = join itself (the coordinator, which starts the cluster).</param>
public sealed record ClusterNodeSettings(
    string BindHost,
    int Port,
    string? PublicHost,
    ImmutableArray<string> Roles,
    ImmutableArray<string> Seeds,
    string LogLevel = "WARNING")
{
    public const string SystemName = "robustcrop";

    /// <summary>How long the split-brain resolver waits for a stable membership before downing unreachable nodes.</summary>
    public TimeSpan StableAfter { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Mutual TLS on remoting; null = plain TCP (loopback and trusted networks only).</summary>
    public ClusterTlsSettings? Tls { get; init; }

    public bool JoinsItself => Seeds.IsDefaultOrEmpty;

    /// <summary>A seed's actor-system address; a TLS node's scheme is akka.ssl.tcp (Akka names the transport in it).</summary>
    public static string SeedAddress(string hostPort, bool tls = false) => $"akka.{(tls ? "ssl." : "")}tcp://{SystemName}@{hostPort}";

    /// <summary>Parses HOST:PORT; the message names the option so the CLI can print it as is.</summary>
    public static (string Host, int Port) ParseHostPort(string option, string text)
    {
        int colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1
            || !int.TryParse(text[(colon + 1)..], NumberStyles.Integer, CultureInfo.InvariantCulture, out int port)
            || port is < 0 or > 65535)
            throw new ArgumentException($"{option} needs HOST:PORT (port 0-65535); got '{text}'");
        return (text[..colon], port);
    }
}
