using RobustCrop.Cluster.Hosting;
using RobustCrop.Cluster.Hosting.Tls;
using RobustCrop.Worker.Cluster;

namespace RobustCrop.Worker.Host;

/// <summary>robustcrop-worker: options in, <see cref="WorkerNode"/> runs; the one place that touches the process console.</summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (WorkerNodeOptions.IsHelp(args))
        {
            WorkerNodeOptions.WriteHelp(Console.Out, Environment.GetEnvironmentVariable);
            return 0;
        }
        WorkerNodeOptions o;
        ClusterTlsSettings? tls = null;
        try
        {
            o = WorkerNodeOptions.Parse(args, Environment.GetEnvironmentVariable);
            // Loaded once here so a bad file or password is exit 2 before the node starts.
            if (o.TlsCert is { } cert)
            {
                tls = ClusterTlsSettings.FromOptions(cert, o.TlsPeerThumbprint, Environment.GetEnvironmentVariable);
                tls.Check();
            }
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"robustcrop-worker: {RobustCrop.Core.Text.TerminalText.Clean(e.Message.Split('\n')[0])}");
            return 2;
        }
        using var stop = new StopSignals();
        var settings = new WorkerNodeSettings(o.Join, o.Listen, o.PublicHost, o.Device, o.Capacity, o.Threads, o.LogLevel,
            Path.Combine(AppContext.BaseDirectory, "models"))
        { JoinTimeout = TimeSpan.FromSeconds(o.JoinTimeoutSeconds), Grace = TimeSpan.FromSeconds(o.GraceSeconds),
            MetricsPort = o.MetricsPort > 0 ? o.MetricsPort : null, MetricsHost = o.MetricsHost, Tls = tls, DecodeThreads = o.DecodeThreads ?? Pipeline.PipelineOptions.DefaultDecodeThreads };
        return await WorkerNode.RunAsync(settings, Console.Error, stop.Token);
    }
}
