using Akka.Cluster.Hosting;
using Akka.Configuration;
using Akka.Event;
using Akka.Hosting;
using Akka.Remote.Hosting;
using RobustCrop.Cluster.Hosting.Downing;
using RobustCrop.Cluster.Hosting.Tls;
using RobustCrop.Cluster.Protocol;

namespace RobustCrop.Cluster.Hosting;

public static class ClusterNodeHosting
{
    /// <summary>Remoting, clustering, the coordinator's downing, the message serializer and logging of one node.</summary>
    /// <param name="log">Where Akka's log lines go (the host's stderr); called from Akka's logger actor, so thread-safe.</param>
    /// <param name="refusals">The TLS refusal log when it outlives this node (a worker restarted within its join window); else one of its own.</param>
    public static AkkaConfigurationBuilder AddRobustCropNode(this AkkaConfigurationBuilder builder, ClusterNodeSettings s, Action<string> log,
        TlsRefusalLog? refusals = null)
    {
        var tls = s.Tls?.Load();
        refusals = tls is null ? null : refusals ?? new TlsRefusalLog(log);
        builder
            .AddSetup(new NodeLogSetup(log, refusals))
            .ConfigureLoggers(l =>
            {
                l.LogLevel = ParseLevel(s.LogLevel);
                l.ClearLoggers();
                l.AddLogger<StderrLogger>();
            })
            .WithRemoting(RemoteOptions(s, tls, refusals))
            .WithClustering(new ClusterOptions
            {
                Roles = [.. s.Roles],
                SeedNodes = s.JoinsItself ? [] : [.. s.Seeds.Select(seed => ClusterNodeSettings.SeedAddress(seed, tls is not null))],
                // No split-brain resolver: the coordinator downs what it cannot reach (Downing/UnreachableDowning says why).
                SplitBrainResolver = null,
            })
            .WithCustomSerializer("robustcrop", [typeof(IClusterMessage)], system => new ClusterMessageSerializer(system))
            .AddHocon(ConfigurationFactory.ParseString($$"""
                # The coordinator downs a member it has not reached for stable-after; workers down nobody.
                akka.cluster.downing-provider-class = "{{typeof(CoordinatorDowningProvider).AssemblyQualifiedName}}"
                {{CoordinatorDowningProvider.StableAfterPath}} = {{(int)s.StableAfter.TotalMilliseconds}}ms
                # A failed association (a peer not listening yet, or just restarted) drops every message to that address
                # for this long; the default 5 s turned a worker's first InitJoin before the coordinator bound into a
                # 5-10 s join. Loopback and pod networks answer in milliseconds: retry soon.
                akka.remote.retry-gate-closed-for = 500ms
                # Ask the seeds again quickly when a join was not answered, instead of after 5 s.
                akka.cluster.seed-node-timeout = 2s
                akka.cluster.retry-unsuccessful-join-after = 2s
                # The process's entry point owns SIGTERM/SIGINT (StopSignals): Akka's own hook would stop the node under
                # a running job, before the job could be cancelled or the worker hand its leases back.
                akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
                # The proxy warns "failed to find the singleton after 30 seconds" at every identification attempt while a
                # node is still joining (seconds, not 30): noise at the default level. A worker that finds no coordinator
                # says so itself (--join-timeout).
                akka.cluster.singleton-proxy.log-singleton-identification-failure = false
                """), HoconAddMode.Prepend);
        if (s.JoinsItself)
            builder.AddStartup((system, _) => Akka.Cluster.Cluster.Get(system).Join(Akka.Cluster.Cluster.Get(system).SelfAddress));
        return builder;
    }

    private static RemoteOptions RemoteOptions(ClusterNodeSettings s, ClusterTlsIdentity? tls, TlsRefusalLog? refusals)
    {
        var options = new RemoteOptions { HostName = s.BindHost, Port = s.Port, PublicHostName = s.PublicHost };
        if (tls is null || refusals is null) return options;
        options.EnableSsl = true;
        // The certificate object travels as a DotNettySslSetup (the hosting extension adds it): no path or password in
        // the HOCON, which Akka can log. Mutual: the server asks for the client's certificate and refuses a handshake
        // without one; both ends run the same validator on the other's certificate.
        options.Ssl = new SslOptions
        {
            X509Certificate = tls.Certificate,
            SuppressValidation = false,
            RequireMutualAuthentication = true,
            ValidateCertificateHostname = false,
            CustomValidator = (peer, chain, remote, errors, _) => tls.Validate(peer, chain, remote, errors, refusals),
        };
        return options;
    }

    private static LogLevel ParseLevel(string level) => level.Trim().ToUpperInvariant() switch
    {
        "DEBUG" => LogLevel.DebugLevel,
        "INFO" => LogLevel.InfoLevel,
        "WARNING" or "WARN" => LogLevel.WarningLevel,
        "ERROR" or "OFF" => LogLevel.ErrorLevel,
        _ => throw new ArgumentException($"--log-level must be debug, info, warning or error; got '{level}'"),
    };
}
