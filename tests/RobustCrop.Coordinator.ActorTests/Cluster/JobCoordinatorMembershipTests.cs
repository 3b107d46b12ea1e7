using Akka.Actor;
using Akka.Hosting;
using Akka.Hosting.TestKit;
using Akka.TestKit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using RobustCrop.Coordinator.Scheduling;
using RobustCrop.Cluster.Hosting;
using RobustCrop.Cluster.Protocol;
using RobustCrop.Coordinator.Cluster;
using RobustCrop.Worker.Cluster;
using static RobustCrop.Cluster.Protocol.WorkProtocol;

namespace RobustCrop.Coordinator.ActorTests.Cluster;

/// <summary>
/// The job singleton and a second, real cluster node whose worker is a relay to a <c>TestProbe</c>: when that node
/// leaves, its lease is re-queued at once (membership, not the lease timeout, which the fake clock never reaches).
/// </summary>
[Trait("Category", "Cluster")]
public sealed class JobCoordinatorMembershipTests : TestKit
{
    private const string RunId = "membership-test";
    private readonly StoreBackend _backend = new(shards: 4);
    private readonly ITestOutputHelper _output;

    // Named as every node is: the second node joins it by that name.
    public JobCoordinatorMembershipTests(ITestOutputHelper output) : base(ClusterNodeSettings.SystemName, output, TimeSpan.FromSeconds(30)) => _output = output;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected override void ConfigureAkka(AkkaConfigurationBuilder builder, IServiceProvider provider)
    {
        var spec = TestJob.Spec(RunId);
        var node = TestJob.Node(ClusterRoles.Coordinator);
        var settings = new CoordinatorSettings { NoWorkRetry = TimeSpan.FromMilliseconds(50), TickInterval = TimeSpan.FromMilliseconds(50), Clock = new FakeTimeProvider() };
        builder.AddRobustCropNode(node, WriteLog).AddJobCoordinator(spec, _backend, settings);
    }

    [Fact]
    public void Nodes_are_downed_by_the_coordinator_not_by_the_split_brain_resolver()
        => Assert.IsType<RobustCrop.Cluster.Hosting.Downing.CoordinatorDowningProvider>(Akka.Cluster.Cluster.Get(Sys).DowningProvider);

    [Fact]
    public async Task The_leases_of_a_node_that_leaves_are_requeued_at_once()
    {
        var self = Akka.Cluster.Cluster.Get(Sys).SelfAddress;
        var remoteProbe = CreateTestProbe("remote");
        var node = new ClusterNodeSettings("127.0.0.1", 0, null, [ClusterRoles.Worker], [$"{self.Host}:{self.Port}"], "WARNING");
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSignalFreeLifetime();
        builder.Services.AddAkka(ClusterNodeSettings.SystemName, akka => akka
            .AddRobustCropNode(node, WriteLog)
            .AddJobSingletonProxy()
            .WithActors((system, registry) => system.ActorOf(Props.Create(() => new Relay(registry.Get<JobSingletonKey>(), remoteProbe)), "relay")));
        using var host = builder.Build();
        await host.StartAsync(Ct);
        var other = host.Services.GetRequiredService<ActorSystem>();
        var relay = await other.ActorSelection("/user/relay").ResolveOne(TimeSpan.FromSeconds(5), Ct);

        remoteProbe.Send(relay, new RegisterWorker(new WorkerId("remote"), 1, "cpu", ProtocolVersion.Current));
        remoteProbe.ExpectMsg<JobSpec>(TimeSpan.FromSeconds(25), cancellationToken: Ct);
        ShardLease? lease = null;
        await AwaitAssertAsync(() =>
        {
            remoteProbe.Send(relay, new RequestWork(new WorkerId("remote"), 1, Guid.NewGuid()));
            lease = remoteProbe.ExpectMsg<object>(TimeSpan.FromSeconds(5), cancellationToken: Ct) as ShardLease;
            Assert.NotNull(lease);
        }, TimeSpan.FromSeconds(15), cancellationToken: Ct);

        // The node leaves the cluster; its lease goes back to the head of the queue for the next worker.
        await CoordinatedShutdown.Get(other).Run(CoordinatedShutdown.ClusterLeavingReason.Instance);
        var local = CreateTestProbe("local");
        local.Send(ActorRegistry.Get<JobSingletonKey>(), new RegisterWorker(new WorkerId("local"), 1, "cpu", ProtocolVersion.Current));
        local.ExpectMsg<JobSpec>(TimeSpan.FromSeconds(10), cancellationToken: Ct);
        await AwaitAssertAsync(() =>
        {
            local.Send(ActorRegistry.Get<JobSingletonKey>(), new RequestWork(new WorkerId("local"), 1, Guid.NewGuid()));
            var next = Assert.IsType<ShardLease>(local.ExpectMsg<object>(TimeSpan.FromSeconds(5), cancellationToken: Ct));
            Assert.Equal(lease!.ShardId, next.ShardId);
        }, TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(500), cancellationToken: Ct);
        await host.StopAsync(Ct);
    }

    private void WriteLog(string line)
    {
        try { _output.WriteLine(line); }
        catch (InvalidOperationException) { }
    }

    /// <summary>On the second node: what the probe sends goes to the job singleton, what comes back goes to the probe.</summary>
    private sealed class Relay : ReceiveActor
    {
        public Relay(IActorRef job, IActorRef probe) => ReceiveAny(m =>
        {
            if (Sender.Equals(probe)) job.Tell(m);
            else probe.Tell(m);
        });
    }
}
