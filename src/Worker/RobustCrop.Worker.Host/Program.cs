using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RobustCrop.Cluster.Protocol;
using RobustCrop.Cluster.Hosting;
using RobustCrop.Worker.Cluster;
using RobustCrop.IO;

namespace RobustCrop.Worker.Host;

/// <summary>
/// robustcrop-worker: joins a coordinator, takes the job spec from it, pulls shards until the job ends, then leaves
/// the cluster and exits 0. If its cluster goes away under it (the coordinator died, or this node was downed), it
/// starts a fresh node and joins again, so a restarted coordinator finds its workers back.
/// </summary>
public static class Program
{
    /// <summary>The one place that touches the process console: the node writes through the error writer it is given.</summary>
    public static async Task<int> Main(string[] args)
    {
        if (WorkerNodeOptions.IsHelp(args))
        {
            WorkerNodeOptions.WriteHelp(Console.Out, Environment.GetEnvironmentVariable);
            return 0;
        }
        WorkerNodeOptions options;
        try
        {
            options = WorkerNodeOptions.Parse(args, Environment.GetEnvironmentVariable);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"robustcrop-worker: {e.Message.Split('\n')[0].Trim()}");
            return 2;
        }
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        return await RunAsync(options, Console.Error, stop.Token);
    }

    /// <summary>Joins, runs and rejoins until the job ends: 0 when it succeeded, 1 when it failed, 130 when stopped.</summary>
    public static async Task<int> RunAsync(WorkerNodeOptions options, TextWriter log, CancellationToken stop)
    {
        while (true)
        {
            var outcome = await RunNodeAsync(options, log, stop);
            if (outcome is { } finished) return finished.Succeeded ? 0 : 1;
            if (stop.IsCancellationRequested) return 130;
            log.WriteLine("worker: left the cluster without the job ending (coordinator gone or this node downed); joining again");
            try { await Task.Delay(TimeSpan.FromSeconds(1), stop); } catch (OperationCanceledException) { return 130; }
        }
    }

    /// <summary>One cluster membership: the job's end, or null when the node was removed before it.</summary>
    private static async Task<WorkProtocol.JobFinished?> RunNodeAsync(WorkerNodeOptions options, TextWriter log, CancellationToken ct)
    {
        var finished = new TaskCompletionSource<WorkProtocol.JobFinished>(TaskCreationOptions.RunContinuationsAsynchronously);
        var (listenHost, listenPort) = ClusterNodeSettings.ParseHostPort("--listen", options.Listen);
        var node = new ClusterNodeSettings(listenHost, listenPort, options.PublicHost, [ClusterRoles.Worker], [options.Join], options.LogLevel);
        var id = WorkerId.New(options.PublicHost ?? Environment.MachineName);
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddAkka(ClusterNodeSettings.SystemName, akka => akka
            .AddRobustCropNode(node, line => Console.Error.WriteLine(line))
            .AddJobSingletonProxy()
            .AddWorkers(1, _ => new WorkerSettings(id, options.Capacity, options.Device, options.Threads,
                Path.Combine(AppContext.BaseDirectory, "models"), line => log.WriteLine(line)), f => finished.TrySetResult(f)));
        using var host = builder.Build();
        await host.StartAsync(ct);
        var system = host.Services.GetRequiredService<ActorSystem>();
        var departed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        system.ActorOf(CoordinatorDepartureWatcher.Props(() => departed.TrySetResult()), "coordinator-departure");
        log.WriteLine($"worker {id}: joining {options.Join} (device {options.Device}, capacity {options.Capacity}, threads {options.Threads})");
        var ended = await Task.WhenAny(finished.Task, departed.Task, system.WhenTerminated, Task.Delay(Timeout.Infinite, ct));
        WorkProtocol.JobFinished? result = ended == finished.Task ? finished.Task.Result
            // The coordinator leaves only after its job ended: this worker missed the news, not the job.
            : ended == departed.Task ? new WorkProtocol.JobFinished("(job)", true, null) : null;
        if (result is not null) log.WriteLine($"worker {id}: job {result.RunId} {(result.Succeeded ? "complete" : "failed: " + result.Reason)}; leaving");
        // Leaving (not just stopping) hands the cluster a clean departure instead of a failure to detect.
        await CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClusterLeavingReason.Instance);
        await system.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(15), CancellationToken.None).ContinueWith(_ => { }, CancellationToken.None);
        try { await host.StopAsync(CancellationToken.None); } catch (Exception e) when (e is OperationCanceledException or InvalidOperationException) { }
        return result;
    }
}
