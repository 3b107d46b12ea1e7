using Akka.Cluster.Hosting;
using Akka.Cluster.Hosting.SBR;
using Akka.Configuration;
using Akka.Event;
using Akka.Hosting;
using Akka.Remote.Hosting;
using RobustCrop.Cluster.Hosting.Tls;
using RobustCrop.Cluster.Protocol;

namespace RobustCrop.Cluster.Hosting;

public static class ClusterNodeHosting
{
    /// <summary>Remoting, clustering, the split-brain resolver, the message serializer and logging of one node.</summary>
    /// <param name="log">Where Akka's log lines go (the host's stderr); called from Akka's logger actor, so thread-safe.</param>
    public static AkkaConfigurationBuilder AddRobustCropNode(this AkkaConfigurationBuilder builder, ClusterNodeSettings s, Action<string> log)
    {
        var tls = s.Tls?.Load();
        var refusals = tls is null ? null : new TlsRefusalLog(log);
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
                // The coordinator is the oldest node and holds the job singleton: a partition keeps its side. Down-if-alone
                // would down a coordinator whose only worker died, which is exactly the case to survive.
                SplitBrainResolver = new KeepOldestOption { DownIfAlone = false, Role = ClusterRoles.Coordinator },
            })
            .WithCustomSerializer("robustcrop", [typeof(IClusterMessage)], system => new ClusterMessageSerializer(system))
            // The hosting options have no knob for stable-after; the resolver's default (20 s) would keep a dead worker's
            // shard leased for that long.
            .AddHocon(ConfigurationFactory.ParseString(
                $"akka.cluster.split-brain-resolver.stable-after = {(int)s.StableAfter.TotalMilliseconds}ms"), HoconAddMode.Prepend);
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
