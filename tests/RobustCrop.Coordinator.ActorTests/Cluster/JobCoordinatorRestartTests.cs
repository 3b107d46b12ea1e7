using Akka.Actor;
using Akka.Hosting;
using Akka.Hosting.TestKit;
using RobustCrop.Core.Settings;
using RobustCrop.Coordinator.Scheduling;
using RobustCrop.Cluster.Hosting;
using RobustCrop.Cluster.Protocol;
using RobustCrop.Coordinator.Cluster;
using RobustCrop.Coordinator.Cluster.Bench;
using RobustCrop.Core.Results;

namespace RobustCrop.Coordinator.ActorTests.Cluster;

/// <summary>
/// The real job singleton on a one-node cluster with simulated workers (the real protocol), its events read at the
/// edge through a <see cref="JobEventFeed"/> exactly as the evaluate command reads them.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class JobCoordinatorRestartTests : TestKit
{
    private const int Shards = 6;
    private const string RunId = "restart-test";

    private readonly ThrowsOnceBackend _backend = new(Shards);
    private readonly JobEventFeed _events = new(new RunId(RunId));
    private readonly BenchRecorder _recorder = new();
    private readonly ITestOutputHelper _output;

    public JobCoordinatorRestartTests(ITestOutputHelper output) : base("restart", output, TimeSpan.FromSeconds(30)) => _output = output;

    protected override void ConfigureAkka(AkkaConfigurationBuilder builder, IServiceProvider provider)
    {
        var spec = TestJob.Spec(RunId);
        var node = TestJob.Node(ClusterRoles.Coordinator, ClusterRoles.Worker);
        var settings = new CoordinatorSettings { NoWorkRetry = TimeSpan.FromMilliseconds(50), TickInterval = TimeSpan.FromMilliseconds(200) };
        _events.AttachTo(builder.AddRobustCropNode(node, WriteLog))
            .AddJobCoordinator(spec, _backend, settings)
            .WithActors((system, registry) =>
            {
                var proxy = registry.Get<JobSingletonKey>();
                for (int i = 0; i < 2; i++)
                {
                    var id = new WorkerId($"sim{i}");
                    system.ActorOf(Props.Create(() => new SimulatedWorkerActor(id, proxy, TimeSpan.FromMilliseconds(20), _recorder)), $"sim-worker-{i}");
                }
            });
    }

    [Fact]
    public async Task A_supervision_restart_of_the_singleton_does_not_fail_the_job()
    {
        var observer = new RecordingObserver();

        // Bounded: a job that never ends fails here instead of hanging the suite.
        var outcome = await _events.WaitAsync(observer, TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

        Assert.True(outcome.Succeeded, outcome.FailureReason);
        Assert.NotNull(outcome.Summary);
        // The first aggregation threw inside a handler: the singleton restarted, planned again and aggregated again.
        Assert.Equal(2, _backend.Plans);
        Assert.Equal(2, _backend.Completions);
        Assert.Equal(1, observer.Planned);
        Assert.Contains(observer.Notes, n => n.StartsWith("coordinator restarted (", StringComparison.Ordinal) && n.Contains(ThrowsOnceBackend.Fault, StringComparison.Ordinal));
        Assert.Equal(1, observer.Finished);
        // Every shard ran at least once before the restart and once after it (the synthetic backend has no store to skip them).
        var counts = _recorder.Snapshot();
        Assert.Equal(Shards, counts.Completed.Count);
        Assert.All(counts.Completed.Values, n => Assert.True(n >= 2, $"a shard completed {n} time(s)"));
    }

    private void WriteLog(string line)
    {
        // Akka's logger outlives the test; xunit refuses output once the test is over.
        try { _output.WriteLine(line); }
        catch (InvalidOperationException) { }
    }

    /// <summary>The synthetic job, except that the first aggregation throws synchronously, inside the singleton's handler.</summary>
    private sealed class ThrowsOnceBackend(int shards) : IJobBackend
    {
        public const string Fault = "simulated fault, thrown once";

        private readonly SyntheticJobBackend _inner = new(shards);
        private int _plans, _completions;

        public int Plans => Volatile.Read(ref _plans);
        public int Completions => Volatile.Read(ref _completions);

        public Task<JobPlan> PlanAsync(CancellationToken ct)
        {
            Interlocked.Increment(ref _plans);
            return _inner.PlanAsync(ct);
        }

        public Task<string?> VerifyAsync(WorkProtocol.ManifestSummary reported, CancellationToken ct) => _inner.VerifyAsync(reported, ct);

        public Task<RunSummary?> CompleteAsync(IReadOnlyDictionary<string, string> devices, CancellationToken ct)
        {
            if (Interlocked.Increment(ref _completions) == 1) throw new InvalidOperationException(Fault);
            return _inner.CompleteAsync(devices, ct);
        }
    }

    /// <summary>Called by the feed from the test's own code, one call at a time.</summary>
    private sealed class RecordingObserver : IJobObserver
    {
        public int Planned { get; private set; }
        public int Finished { get; private set; }
        public List<string> Notes { get; } = [];

        void IJobObserver.Planned(JobPlan plan) => Planned++;
        public void Progress(long images, long crops) { }
        public void Note(string line) => Notes.Add(line);
        public void Event(string line) { }
        public void Status(IReadOnlyList<string> lines) { }
        void IJobObserver.Finished() => Finished++;
    }
}
