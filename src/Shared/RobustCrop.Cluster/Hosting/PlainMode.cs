namespace RobustCrop.Cluster.Hosting;

/// <summary>
/// Remoting without TLS (no --tls-cert): any process that reaches a node's port can join the cluster, take work and
/// stop the job. Kept for loopback development, where it is said once at start; a node reachable from other machines
/// (--public-host) needs TLS, or --insecure to say the network is trusted.
/// </summary>
public static class PlainMode
{
    /// <summary>The one-line refusal of --public-host without TLS or --insecure; null when the combination is allowed.</summary>
    public static string? PublicWithoutTls(bool publicHost, bool tls, bool insecure) => publicHost && !tls && !insecure
        ? "--public-host without --tls-cert would let any process that reaches the port join the cluster, take work and stop the job; "
          + "give --tls-cert PATH, or --insecure on a trusted network"
        : null;

    /// <summary>The start-up line of a node in plain mode.</summary>
    public static string Notice(string node, string endpoint, bool insecure) => insecure
        ? $"{node}: plain TCP without TLS (--insecure): any process that reaches {endpoint} can join this cluster"
        : $"{node}: plain TCP without TLS (no --tls-cert): any local process that reaches {endpoint} can join this cluster; for loopback development only";

    /// <summary>A --metrics-host as the HTTP listener takes it: every interface is "*".</summary>
    public static string MetricsBind(string host) => host is "0.0.0.0" or "*" or "+" or "::" ? "*" : host;
}
