using System.Globalization;
using RobustCrop.Cluster.Protocol;
using RobustCrop.Cluster.Hosting;
using RobustCrop.Coordinator.Cluster;
using RobustCrop.Coordinator.Console;
using RobustCrop.Coordinator.Jobs;
using RobustCrop.IO.Results;

namespace RobustCrop.Cli.Commands;

/// <summary>
/// The coordinator node of a multi-process cluster: runs the job singleton, waits for <c>robustcrop-worker --join</c>
/// processes, exits 0 when every shard has a manifest and the summary is written.
/// </summary>
public sealed class CoordinatorCommand : ICommand
{
    public string Name => "coordinator";
    public string Summary => "run a job as the coordinator of a cluster of worker processes";
    public string Usage => """
        robustcrop coordinator --listen HOST:PORT [evaluate options]
          --listen HOST:PORT  where the coordinator listens; workers start with --join HOST:PORT (binding stays on
                              127.0.0.1 unless --public-host is given)
          --public-host NAME  the name workers on other machines use; remoting then binds to 0.0.0.0
          --workers N         worker actors inside this process too (default 0)
          --lease-seconds S   a shard whose worker stops renewing is re-queued after S seconds (default 30)
          --status-seconds S  period of the machine-readable "cluster …" line (default 5)
          --log-level L       Akka log level on stderr: debug | info | warning | error (default warning)
          every evaluate option (--data, --out, --run-id, --zoo, --model, --limit, --shard-size, --window, --tau, --rics …):
          see 'robustcrop help evaluate'. Paths must be valid on every worker (same machine or same mount).
        """;

    public async Task<int> RunAsync(CommandLine a, CancellationToken ct)
    {
        var options = EvaluateCommand.ParseOptions(a);
        string listen = a.String("listen") ?? throw new UsageException("coordinator needs --listen HOST:PORT");
        string? publicHost = a.String("public-host");
        int workers = a.Int("workers", 0, min: 0, max: 256);
        int leaseSeconds = a.Int("lease-seconds", 30, min: 2, max: 86_400);
        int statusSeconds = a.Int("status-seconds", 5, min: 1, max: 3600);
        string logLevel = a.String("log-level", "warning");
        a.ThrowOnUnused();
        (string host, int port) hp;
        try { hp = ClusterNodeSettings.ParseHostPort("--listen", listen); }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
        if (!string.Equals(logLevel, "debug", StringComparison.OrdinalIgnoreCase) && !string.Equals(logLevel, "info", StringComparison.OrdinalIgnoreCase)
            && !string.Equals(logLevel, "warning", StringComparison.OrdinalIgnoreCase) && !string.Equals(logLevel, "error", StringComparison.OrdinalIgnoreCase))
            throw new UsageException($"--log-level must be debug, info, warning or error; got '{logLevel}'");

        // Loopback unless the operator names a public host: a cluster port must never be opened to a network by default.
        string bind = publicHost is null ? hp.host : "0.0.0.0";
        var node = new ClusterNodeSettings(bind, hp.port, publicHost ?? hp.host,
            workers > 0 ? [ClusterRoles.Coordinator, ClusterRoles.Worker] : [ClusterRoles.Coordinator], [], logLevel);
        var topology = new ClusterTopology(node, workers, Verbose: true, new CoordinatorSettings
        {
            LeaseDuration = TimeSpan.FromSeconds(leaseSeconds),
            StatusInterval = TimeSpan.FromSeconds(statusSeconds),
        });
        var progress = new RunProgress(System.Console.Error, interactive: false, TimeSpan.FromSeconds(statusSeconds));
        progress.Note(string.Create(CultureInfo.InvariantCulture, $"coordinator: run {options.RunId} listening on {hp.host}:{hp.port}; start workers with: robustcrop-worker --join {publicHost ?? hp.host}:{hp.port}"));
        var summary = await new EvaluateJob(options, progress, topology).RunAsync(ct);
        SummaryTable.Print(summary, Path.Combine(options.Out, options.RunId));
        return 0;
    }
}
