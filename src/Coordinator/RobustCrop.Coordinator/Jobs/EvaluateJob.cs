using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RobustCrop.Coordinator.Scheduling;
using RobustCrop.Cluster.Hosting;
using RobustCrop.Cluster.Protocol;
using RobustCrop.Coordinator.Cluster;
using RobustCrop.Cluster.Observability;
using RobustCrop.Coordinator.Console;
using RobustCrop.Coordinator.Observability;
using RobustCrop.Core.Data;
using RobustCrop.Core.Planning;
using RobustCrop.Core.Models;
using RobustCrop.Core.Results;
using RobustCrop.Core.Settings;
using RobustCrop.IO.Data;
using RobustCrop.IO.Models;
using RobustCrop.IO.Results;
using RobustCrop.IO.Storage;
using RobustCrop.Worker.Cluster;
using RobustCrop.Worker.Inference;
using RobustCrop.Worker.Pipeline;

namespace RobustCrop.Coordinator.Jobs;

/// <summary>A job that could not complete; its message is the one line the user sees.</summary>
public sealed class JobFailedException(string message) : Exception(message);

/// <summary>
/// Where the job's actors run: the embedded default is one node with the coordinator and local workers; the
/// <c>coordinator</c> command is a node that waits for worker processes to join.
/// </summary>
/// <param name="Verbose">Print scheduling events and the periodic "cluster …" status lines.</param>
public sealed record ClusterTopology(ClusterNodeSettings Node, int LocalWorkers, bool Verbose, CoordinatorSettings Coordinator)
{
    /// <summary>Where /metrics and /status are served; none when null.</summary>
    public int? MetricsPort { get; init; }

    /// <summary>"127.0.0.1", or "*" on a node with a public host.</summary>
    public string MetricsHost { get; init; } = "127.0.0.1";

    /// <summary>One node on a free loopback port; Akka's own log only for errors, so the console shows the run alone.</summary>
    public static ClusterTopology Embedded(int localWorkers) => new(
        new ClusterNodeSettings("127.0.0.1", 0, null, [ClusterRoles.Coordinator, ClusterRoles.Worker], [], "ERROR"),
        localWorkers, Verbose: false,
        // One machine, one pool of workers: a shard that failed here fails the same way again.
        new CoordinatorSettings { MaxAttempts = 1, WorkersAreLocal = true });
}

/// <summary>
/// Runs an evaluate job through the cluster actors — the job singleton and pulling workers — whether the workers are
/// in this process or elsewhere: one code path. Everything that can be checked before binding a port is checked first.
/// </summary>
public sealed class EvaluateJob(EvaluateOptions options, RunProgress progress, ClusterTopology topology)
{
    public async Task<RunSummary> RunAsync(CancellationToken ct)
    {
        var run = options.Run;
        var dataset = DatasetFactory.Open(run.Data, options.ConnectionString);
        // Before any model is loaded: a wrong connection string or unreachable storage fails at start, with one line.
        var store = await StoreFactory.OpenAsync(run.Out, options.ConnectionString, ct, options.StorageOptions);
        var layout = new RunLayout(run.RunId.Value);
        var manifests = ZooSelection.Select(ZooFile.Load(run.ZooPath, ShippedFiles.BuiltinModelsDir), run.ModelIds, run.ZooPath);
        var shards = ShardLimit.Apply(dataset.PlanShards(run.ShardSize), run.Limit, dataset.PlannedInputs);
        DeviceSpec.Parse(options.Device);
        var gallery = options.Gallery is null ? null : await IO.Results.GalleryFile.ReadAsync(options.Gallery, ct);
        foreach (var m in manifests)
        {
            ZooFeasibility.Check(m, run);
            long? dimension = ModelLoader.Validate(m);
            if (gallery?.DimensionFor(m.Id) is int g && dimension is long d && g != d)
                throw new JobFailedException($"gallery {gallery.Name}: its vectors for model {m.Id} are {g}-dimensional, the model outputs {d}");
        }
        // The run is what its first start planned: a resume with other data (or changed files), shards, limit, models (or a
        // changed zoo entry or model file) or metric settings
        // would mix or skip work, so it stops here with one line naming what differs.
        var plan = RunFingerprint.Add(RunPlan.Of(run, options.ForWorkers().Data, dataset.Name, manifests.Select(m => m.Id), shards.Count,
            shards.Any(s => s.Count < 0) ? -1 : shards.Sum(s => s.Count)), manifests, dataset);
        try
        {
            await RunStateIo.StoreOrCheckPlanAsync(store, layout, plan, ct);
        }
        catch (RunPlanMismatchException e)
        {
            throw new JobFailedException(e.Message);
        }
        // Said once, when the run is accepted (a refused start keeps its one line): a labelled folder of the user's own
        // with an accuracy of "—" and nothing saying why is the first thing a new user meets with the shipped zoo, whose
        // heads apply to Fashion-MNIST only.
        foreach (var line in HeadCoverage.Notes(manifests, DatasetFactory.SourceNames(dataset), "representation metrics only"))
            progress.Note(line);
        // Kept with the run once its plan is accepted, so aggregation (now and any later `aggregate`) searches this gallery.
        if (options.Gallery is not null) await IO.Results.NearestNeighbourPass.StoreGalleryAsync(store, layout, options.Gallery, ct);

        var spec = new JobSpec(options.ForWorkers());
        var backend = new RunJobBackend(dataset, shards, manifests, store, layout);
        // The job's events reach this method through the feed; the console is written here, never from an actor.
        var events = new JobEventFeed(spec.Run.RunId);
        var observer = new ConsoleJobObserver(progress, topology.Verbose);

        var metrics = topology.MetricsPort is null ? null : new ClusterMetrics(spec.Run.RunId, TimeProvider.System);
        await using var server = metrics is null ? null
            : new MetricsServer(topology.MetricsHost, topology.MetricsPort!.Value, metrics.Registry, () => StatusPage.Render(metrics.Status));
        // The local workers of this process load each model once between them, not once each.
        var shared = new SharedModels<SharedModelKey, Worker.Pipeline.EvaluatedModel>();
        // Several devices: local workers take them in turn, so each device gets its own inference loop(s).
        var devices = DeviceSpec.ParseList(options.Device);
        int localWorkers = topology.LocalWorkers == 0 ? 0 : Math.Max(topology.LocalWorkers, devices.Length);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSignalFreeLifetime();
        // After the job's end the workers leave and remoting's warnings about their closed ports are expected: dropped.
        var nodeLog = new EndingNodeLog(progress.Note);
        builder.Services.AddAkka(ClusterNodeSettings.SystemName, akka => AttachMetrics(events.AttachTo(akka
            .AddRobustCropNode(topology.Node, nodeLog.Write)), metrics)
            .AddJobCoordinator(spec, backend, topology.Coordinator)
            .AddWorkers(localWorkers, i => new WorkerSettings(WorkerId.New($"local{i}"), 1, devices[i % devices.Length].ToString(), options.Threads,
                ShippedFiles.BuiltinModelsDir, progress.Note)
            {
                ConnectionString = options.ConnectionString,
                StorageOptions = options.StorageOptions,
                SharedModels = shared,
                Pipeline = new PipelineOptions { DecodeThreads = options.DecodeThreads },
            }, _ => { }));
        using var host = builder.Build();
        await host.StartAsync(ct);
        JobOutcome result;
        try
        {
            try
            {
                result = await events.WaitAsync(observer, ct);
                nodeLog.JobEnded();
            }
            catch (OperationCanceledException)
            {
                nodeLog.JobEnded();
                await AnnounceStopAsync(host.Services.GetRequiredService<ActorRegistry>());
                throw;
            }
            if (topology.LocalWorkers == 0 || topology.Node.Port != 0)
                await WaitForWorkersToLeaveAsync(host.Services.GetRequiredService<ActorSystem>(), TimeSpan.FromSeconds(15));
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
        if (!result.Succeeded) throw new JobFailedException(result.FailureReason!);
        return result.Summary!;
    }

    private static AkkaConfigurationBuilder AttachMetrics(AkkaConfigurationBuilder builder, ClusterMetrics? metrics)
        => metrics is null ? builder : metrics.AttachTo(builder);

    /// <summary>Cancelled: workers are told the coordinator stops before the job's end, so they rejoin instead of exiting.</summary>
    private static async Task AnnounceStopAsync(ActorRegistry registry)
    {
        try
        {
            await registry.Get<JobSingletonKey>().Ask<JobCoordinatorActor.StopAnnounced>(new JobCoordinatorActor.AnnounceStop(), TimeSpan.FromSeconds(5));
            // The notices travel before this node's leave gossip, on the same connections; give them a moment to land.
            await Task.Delay(TimeSpan.FromMilliseconds(300));
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException) { }
    }

    /// <summary>Gives workers that were told the job finished time to leave, so they exit 0 instead of losing their cluster.</summary>
    private static async Task WaitForWorkersToLeaveAsync(ActorSystem system, TimeSpan grace)
    {
        var cluster = Akka.Cluster.Cluster.Get(system);
        var until = DateTime.UtcNow + grace;
        while (DateTime.UtcNow < until && cluster.State.Members.Any(m => m.Address != cluster.SelfAddress && m.HasRole(ClusterRoles.Worker)))
            await Task.Delay(200);
    }
}
