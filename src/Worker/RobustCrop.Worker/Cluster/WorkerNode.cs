using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RobustCrop.Cluster.Hosting;
using RobustCrop.Cluster.Hosting.Tls;
using RobustCrop.Cluster.Protocol;

namespace RobustCrop.Worker.Cluster;

/// <summary>What a worker process was asked to be: where it joins and listens, and what it runs on.</summary>
/// <param name="ModelsDir">Models shipped next to the executable ("builtin:" in zoo files).</param>
public sealed record WorkerNodeSettings(string Join, string Listen, string? PublicHost, string Device, int Capacity, int Threads,
    string LogLevel, string ModelsDir)
{
    /// <summary>Mutual TLS with the coordinator; null = plain TCP.</summary>
    public ClusterTlsSettings? Tls { get; init; }
}

/// <summary>
/// A worker node's life: joins a coordinator, takes the job spec from it, pulls shards until the job ends, then leaves
/// the cluster. If its cluster goes away under it (the coordinator died, or this node was downed), it starts a fresh
/// node and joins again, so a restarted coordinator finds its workers back.
/// </summary>
public static class WorkerNode
{
    /// <summary>Joins, runs and rejoins until the job ends: 0 when it succeeded, 1 when it failed, 130 when stopped.</summary>
    public static async Task<int> RunAsync(WorkerNodeSettings settings, TextWriter log, CancellationToken stop)
    {
        while (true)
        {
            var outcome = await RunNodeAsync(settings, log, stop);
            if (outcome is { } finished) return finished.Succeeded ? 0 : 1;
            if (stop.IsCancellationRequested) return 130;
            log.WriteLine("worker: left the cluster without the job ending (coordinator gone or this node downed); joining again");
            try { await Task.Delay(TimeSpan.FromSeconds(1), stop); } catch (OperationCanceledException) { return 130; }
        }
    }

    /// <summary>One cluster membership: the job's end, or null when the node was removed before it.</summary>
    private static async Task<WorkProtocol.JobFinished?> RunNodeAsync(WorkerNodeSettings s, TextWriter log, CancellationToken ct)
    {
        var finished = new TaskCompletionSource<WorkProtocol.JobFinished>(TaskCreationOptions.RunContinuationsAsynchronously);
        var (listenHost, listenPort) = ClusterNodeSettings.ParseHostPort("--listen", s.Listen);
        var node = new ClusterNodeSettings(listenHost, listenPort, s.PublicHost, [ClusterRoles.Worker], [s.Join], s.LogLevel) { Tls = s.Tls };
        var id = WorkerId.New(s.PublicHost ?? Environment.MachineName);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddAkka(ClusterNodeSettings.SystemName, akka => akka
            .AddRobustCropNode(node, log.WriteLine)
            .AddJobSingletonProxy()
            .AddWorkers(1, _ => new WorkerSettings(id, s.Capacity, s.Device, s.Threads, s.ModelsDir, log.WriteLine), f => finished.TrySetResult(f)));
        using var host = builder.Build();
        await host.StartAsync(ct);
        var system = host.Services.GetRequiredService<ActorSystem>();
        var departed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        system.ActorOf(CoordinatorDepartureWatcher.Props(() => departed.TrySetResult()), "coordinator-departure");
        log.WriteLine($"worker {id}: joining {s.Join} (device {s.Device}, capacity {s.Capacity}, threads {s.Threads})");
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
