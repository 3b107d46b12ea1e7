using System.Diagnostics;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.Hosting;
using RobustCrop.Coordinator.Scheduling;
using RobustCrop.Cluster.Hosting;
using RobustCrop.Cluster.Protocol;
using RobustCrop.Core.Rics;
using RobustCrop.Core.Settings;

namespace RobustCrop.Coordinator.Cluster.Bench;

/// <summary>One simulation: <paramref name="Workers"/> simulated workers, <paramref name="Shards"/> shards each held <paramref name="Latency"/>.</summary>
public sealed record ClusterBenchRun(int Workers, int Shards, TimeSpan Latency, TimeSpan Timeout);

/// <param name="Wall">First lease to the job's outcome (aggregation included): cluster formation is left out, it is paid once per run.</param>
/// <param name="Startup">Host start to the first lease: joining, singleton hand-over, planning.</param>
public sealed record ClusterBenchResult(ClusterBenchRun Run, TimeSpan Wall, TimeSpan Startup, BenchCounts Counts, int Requeued, int Duplicates)
{
    public double LeasesPerSecond => Run.Shards / Math.Max(Wall.TotalSeconds, 1e-9);

    /// <summary>shards × latency / workers: every worker busy all the time, scheduling free.</summary>
    public TimeSpan Ideal => Run.Latency * Run.Shards / Run.Workers;

    /// <summary>wall/ideal − 1; undefined (NaN) at zero latency, where the whole run is overhead.</summary>
    public double Overhead => Ideal > TimeSpan.Zero ? Wall / Ideal - 1 : double.NaN;

    /// <summary>
    /// Overhead against what the workers actually held each shard: Akka's scheduler ticks every 10 ms (it refuses less),
    /// so a 20 ms timer fires after 20-30 ms; this figure leaves that rounding out and keeps the coordinator's share.
    /// </summary>
    public double OverheadVsHeld => Run.Latency > TimeSpan.Zero && Counts.MeanHoldMs > 0
        ? Wall.TotalMilliseconds / (Counts.MeanHoldMs * Run.Shards / Run.Workers) - 1 : double.NaN;

    /// <summary>Every shard leased exactly once and completed exactly once.</summary>
    public bool ExactlyOnce => Counts.Leased.Count == Run.Shards && Counts.Completed.Count == Run.Shards
        && Counts.Leased.Values.All(n => n == 1) && Counts.Completed.Values.All(n => n == 1);
}

/// <summary>
/// The real job singleton (through <see cref="JobCoordinatorHosting.AddJobCoordinator"/>) on one in-process node, like
/// the embedded evaluate, driven by simulated workers over the real protocol and serializer-registered messages. What
/// it measures is the coordinator's mailbox and bookkeeping per lease, the number that limits how many GPUs one
/// coordinator can keep busy.
/// </summary>
public static class ClusterBench
{
    /// <param name="log">Where Akka's own log lines go (the command passes stderr); nowhere when null.</param>
    public static async Task<ClusterBenchResult> RunAsync(ClusterBenchRun run, CancellationToken ct, Action<string>? log = null)
    {
        var recorder = new BenchRecorder();
        var observer = new CountingObserver();
        var spec = new JobSpec(new RunSettings(new RunId("bench-cluster")) { Data = "synthetic", Tau = 0, WindowK = 0, Batch = 1, Rics = RicsSelection.None with { Seed = 0 } });
        var node = new ClusterNodeSettings("127.0.0.1", 0, null, [ClusterRoles.Coordinator, ClusterRoles.Worker], [], "ERROR");
        var events = new JobEventFeed(spec.Run.RunId);
        var settings = new CoordinatorSettings
        {
            // A worker told "no work yet" while the plan is being made would otherwise idle a whole second.
            NoWorkRetry = TimeSpan.FromMilliseconds(10),
            // Status lines go to a discarding observer; keep them rare so they do not count as scheduling work.
            StatusInterval = TimeSpan.FromMinutes(10),
            // Thousands of simulated workers, past a real cluster's limit.
            MaxWorkers = run.Workers,
        };

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSignalFreeLifetime();
        builder.Services.AddAkka(ClusterNodeSettings.SystemName, akka => events.AttachTo(akka
            .AddRobustCropNode(node, log ?? (_ => { })))
            .AddJobCoordinator(spec, new SyntheticJobBackend(run.Shards), settings)
            .WithActors((system, registry) =>
            {
                var proxy = registry.Get<JobSingletonKey>();
                for (int i = 0; i < run.Workers; i++)
                    system.ActorOf(Props.Create(() => new SimulatedWorkerActor(new WorkerId($"sim{i}"), proxy, run.Latency, recorder)), $"sim-worker-{i}");
            }));
        using var host = builder.Build();
        long started = Stopwatch.GetTimestamp();
        await host.StartAsync(ct);
        try
        {
            JobOutcome result;
            try
            {
                result = await events.WaitAsync(observer, ct).WaitAsync(run.Timeout, ct);
            }
            catch (TimeoutException)
            {
                var partial = recorder.Snapshot();
                throw new TimeoutException($"bench-cluster with {run.Workers} worker(s) did not finish in {run.Timeout.TotalSeconds:F0} s " +
                    $"({partial.Completed.Count} of {run.Shards} shard(s) completed)");
            }
            long finished = Stopwatch.GetTimestamp();
            if (!result.Succeeded) throw new InvalidOperationException($"the simulated job failed: {result.FailureReason}");
            var counts = recorder.Snapshot();
            return new ClusterBenchResult(run, Stopwatch.GetElapsedTime(counts.FirstLease, finished),
                Stopwatch.GetElapsedTime(started, counts.FirstLease), counts, observer.Requeued, observer.Duplicates);
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>Counts the coordinator's re-queues and duplicate completions: both must stay zero in a healthy run.</summary>
    private sealed class CountingObserver : IJobObserver
    {
        private int _requeued, _duplicates;

        public int Requeued => Volatile.Read(ref _requeued);
        public int Duplicates => Volatile.Read(ref _duplicates);

        public void Planned(JobPlan plan) { }
        public void Progress(long images, long crops) { }
        public void Note(string line) { }
        public void Status(IReadOnlyList<string> lines) { }
        public void Finished() { }

        public void Event(string line)
        {
            if (line.StartsWith("requeued", StringComparison.Ordinal)) Interlocked.Increment(ref _requeued);
            else if (line.StartsWith("duplicate_completion", StringComparison.Ordinal)) Interlocked.Increment(ref _duplicates);
        }
    }
}
