using System.CommandLine;
using System.Globalization;
using RobustCrop.Coordinator.Scheduling;
using RobustCrop.Cli.Options;
using RobustCrop.Cluster.Hosting;
using RobustCrop.Cluster.Hosting.Tls;
using RobustCrop.Cluster.Protocol;
using RobustCrop.Coordinator.Cluster;
using RobustCrop.Coordinator.Console;
using RobustCrop.Coordinator.Jobs;

namespace RobustCrop.Cli.Commands;

/// <summary>
/// The coordinator node of a multi-process cluster: runs the job singleton, waits for <c>robustcrop-worker --join</c>
/// processes, exits 0 when every shard has a manifest and the summary is written.
/// </summary>
public sealed class CoordinatorCommand : Command
{
    public CoordinatorCommand(CliConsole io) : base("coordinator",
        "run a job as the coordinator of a cluster of worker processes; takes every evaluate option (--data, --out, --run-id, --zoo, --model, --limit, "
        + "--shard-size, --window, --tau, --rics …). Paths must be valid on every worker (same machine or same mount).")
    {
        // Port 0 would bind a free port that no worker could be told about.
        var listen = CliOptions.HostPort("--listen",
            "where the coordinator listens; workers start with --join HOST:PORT (binding stays on 127.0.0.1 unless --public-host is given)",
            null, allowAnyPort: false, required: true);
        var publicHost = CliOptions.String("--public-host", "the name workers on other machines use; remoting then binds to 0.0.0.0", helpName: "NAME");
        var workers = CliOptions.Int("--workers", "worker actors inside this process too", Defaults.Coordinator.Workers, 0, int.MaxValue);
        var leaseSeconds = CliOptions.Int("--lease-seconds", "a shard whose worker stops renewing is re-queued after S seconds", Defaults.Coordinator.LeaseSeconds, 2, 86_400, "S");
        var statusSeconds = CliOptions.Int("--status-seconds", "period of the machine-readable \"cluster …\" line", Defaults.Coordinator.StatusSeconds, 1, 3600, "S");
        var logLevel = CliOptions.OneOf("--log-level", "Akka log level on stderr", Defaults.Coordinator.LogLevel, "L", "debug", "info", "warning", "error");
        var tlsCert = CliOptions.String("--tls-cert",
            $"PKCS#12 file (this node's certificate and key, and the cluster CA): mutual TLS between all nodes; password from {ClusterTlsSettings.PasswordVariable}",
            helpName: "PATH");
        var tlsPeer = CliOptions.String("--tls-peer-thumbprint",
            "accept only peers whose certificate has one of these SHA-1 or SHA-256 thumbprints, instead of any certificate of the CA", helpName: "HEX,...");
        var metricsPort = CliOptions.Int("--metrics-port", "serve Prometheus /metrics and the /status page on this port (on --metrics-host)", 0, 0, 65535, "N");
        var metricsHost = CliOptions.String("--metrics-host", "the address /metrics and /status bind to; a public host alone does not open them", "127.0.0.1", "HOST");
        var insecure = CliOptions.Flag("--insecure",
            "allow --public-host without --tls-cert: any process that reaches the port can join, take work and stop the job (trusted networks only)");
        var job = new EvaluateOptionSet();
        job.AddTo(this);
        foreach (var o in new Option[] { listen, publicHost, workers, leaseSeconds, statusSeconds, logLevel, tlsCert, tlsPeer, metricsPort, metricsHost, insecure }) Add(o);
        Validators.Add(r => job.ValidateWorkers(r, workers));
        Validators.Add(job.ValidateGallery);
        Validators.Add(job.ValidateModes);
        Validators.Add(r =>
        {
            if (r.GetResult(tlsPeer) is not null && r.GetResult(tlsCert) is null) r.AddError("--tls-peer-thumbprint needs --tls-cert");
            if (PlainMode.PublicWithoutTls(r.GetResult(publicHost) is not null, r.GetResult(tlsCert) is not null, r.GetValue(insecure)) is { } refusal)
                r.AddError(refusal);
        });

        SetAction(async (p, ct) =>
        {
            // Before anything else: a certificate that cannot be used is a usage error (exit 2), not a node that starts open.
            var tls = Tls(p.GetValue(tlsCert), p.GetValue(tlsPeer));
            var options = job.Bind(p);
            var hp = ClusterNodeSettings.ParseHostPort("--listen", p.GetValue(listen)!);
            string? host = p.GetValue(publicHost);
            int local = p.GetValue(workers);
            int status = p.GetValue(statusSeconds);
            // Loopback unless the operator names a public host: a cluster port must never be opened to a network by default.
            string bind = host is null ? hp.Host : "0.0.0.0";
            var node = new ClusterNodeSettings(bind, hp.Port, host ?? hp.Host,
                local > 0 ? [ClusterRoles.Coordinator, ClusterRoles.Worker] : [ClusterRoles.Coordinator], [], p.GetValue(logLevel)!) { Tls = tls };
            var topology = new ClusterTopology(node, local, Verbose: true, new CoordinatorSettings
            {
                LeaseDuration = TimeSpan.FromSeconds(p.GetValue(leaseSeconds)),
                StatusInterval = TimeSpan.FromSeconds(status),
            })
            {
                MetricsPort = p.GetValue(metricsPort) is > 0 and var port ? port : null,
                MetricsHost = PlainMode.MetricsBind(p.GetValue(metricsHost)!),
            };
            var progress = new RunProgress(io.Err, interactive: false, TimeSpan.FromSeconds(status));
            if (tls is null) progress.Note(PlainMode.Notice("coordinator", $"{bind}:{hp.Port}", host is not null));
            progress.Note(string.Create(CultureInfo.InvariantCulture, $"coordinator: run {options.Run.RunId.Value} listening on {hp.Host}:{hp.Port}; start workers with: robustcrop-worker --join {host ?? hp.Host}:{hp.Port}{(tls is null ? "" : " --tls-cert PATH")}"));
            var summary = await new EvaluateJob(options, progress, topology).RunAsync(ct);
            SummaryTable.Print(io.Ansi, summary, Path.Combine(options.Run.Out, options.Run.RunId.Value));
            return 0;
        });
    }

    private static ClusterTlsSettings? Tls(string? certificate, string? thumbprints)
    {
        if (certificate is null) return null;
        try
        {
            var tls = ClusterTlsSettings.FromOptions(certificate, thumbprints, Environment.GetEnvironmentVariable);
            tls.Check();
            return tls;
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
    }
}
