using Akka.Actor;
using Akka.Hosting;
using Akka.Hosting.TestKit;
using Akka.TestKit;
using Microsoft.Extensions.Time.Testing;
using RobustCrop.Core.Settings;
using RobustCrop.Coordinator.Scheduling;
using RobustCrop.Cluster.Hosting;
using RobustCrop.Cluster.Protocol;
using RobustCrop.Coordinator.Cluster;
using static RobustCrop.Cluster.Protocol.WorkProtocol;

namespace RobustCrop.Coordinator.ActorTests.Cluster;

/// <summary>
/// The real job singleton on a one-node cluster, spoken to by <c>TestProbe</c> workers message by message: every
/// answer of the protocol is asserted, with lease time on a <see cref="FakeTimeProvider"/> the test moves.
/// </summary>
/// <summary>
/// The real job singleton on a one-node cluster, spoken to by <c>TestProbe</c> workers message by message, with lease
/// time on a <see cref="FakeTimeProvider"/> the test moves. <see cref="Configure"/> adjusts the settings per test class.
/// </summary>
public abstract class JobSingletonTestKit : TestKit
{
    protected const string RunId = "protocol-test";
    protected static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    protected readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    protected readonly StoreBackend _backend = new(shards: 4);
    protected readonly JobEventFeed _events = new(new RunId(RunId));
    private readonly ITestOutputHelper _output;

    protected JobSingletonTestKit(ITestOutputHelper output) : base("protocol", output, TimeSpan.FromSeconds(30)) => _output = output;

    protected virtual CoordinatorSettings Configure(CoordinatorSettings settings) => settings;

    protected sealed override void ConfigureAkka(AkkaConfigurationBuilder builder, IServiceProvider provider)
    {
        var spec = TestJob.Spec(RunId);
        var node = TestJob.Node(ClusterRoles.Coordinator);
        var settings = new CoordinatorSettings
        {
            LeaseDuration = Lease,
            NoWorkRetry = TimeSpan.FromMilliseconds(50),
            TickInterval = TimeSpan.FromMilliseconds(50),
            MaxAttempts = 2,
            Clock = _clock,
        };
        _events.AttachTo(builder.AddRobustCropNode(node, WriteLog)).AddJobCoordinator(spec, _backend, Configure(settings));
    }

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected IActorRef Job => ActorRegistry.Get<JobSingletonKey>();

    protected TestProbe Register(string id)
    {
        var probe = CreateTestProbe(id);
        probe.Send(Job, new RegisterWorker(new WorkerId(id), 1, "cpu", ProtocolVersion.Current));
        probe.ExpectMsg<JobSpec>(TimeSpan.FromSeconds(20), cancellationToken: Ct);
        return probe;
    }

    /// <summary>Asks until the plan is ready and a lease comes (the first requests may be answered "no work yet").</summary>
    protected static ShardLease Take(TestProbe probe, IActorRef job, string id, int capacity = 1)
    {
        for (int i = 0; i < 100; i++)
        {
            probe.Send(job, new RequestWork(new WorkerId(id), capacity, Guid.NewGuid()));
            var answer = probe.ExpectMsg<object>(TimeSpan.FromSeconds(10), cancellationToken: Ct);
            if (answer is ShardLease lease) return lease;
            Assert.IsType<NoWorkYet>(answer);
            Thread.Sleep(50);
        }
        throw new TimeoutException("no lease");
    }

    protected static ManifestSummary Done(ShardLease l) => new(l.ShardId, StoreBackend.ShardSize, 0, 10, 1, [], DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);

    protected void Complete(TestProbe probe, string id, ShardLease l)
    {
        _backend.Write(l.ShardId);
        probe.Send(Job, new ShardCompleted(new WorkerId(id), l.Lease, Done(l)));
        Assert.Equal(l.Lease, probe.ExpectMsg<CompletionAck>(TimeSpan.FromSeconds(10), cancellationToken: Ct).Lease);
    }

    private void WriteLog(string line)
    {
        try { _output.WriteLine(line); }
        catch (InvalidOperationException) { }
    }

    protected sealed class NullObserver : IJobObserver
    {
        public void Planned(JobPlan plan) { }
        public void Progress(long images, long crops) { }
        public void Note(string line) { }
        public void Event(string line) { }
        public void Status(IReadOnlyList<string> lines) { }
        public void Finished() { }
    }
}
