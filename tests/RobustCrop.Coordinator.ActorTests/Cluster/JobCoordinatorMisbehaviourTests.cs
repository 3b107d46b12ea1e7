using Akka.TestKit;
using RobustCrop.Cluster.Protocol;
using RobustCrop.Coordinator.Cluster;
using static RobustCrop.Cluster.Protocol.WorkProtocol;

namespace RobustCrop.Coordinator.ActorTests.Cluster;

/// <summary>
/// Members that lie or break, played by <c>TestProbe</c>s beside an honest one: the singleton refuses or ignores the
/// misbehaving member alone, and the honest worker finishes the job.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class JobCoordinatorMisbehaviourTests(ITestOutputHelper output) : JobSingletonTestKit(output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    /// <summary>The scheduling lines the singleton publishes, as the console and the log get them.</summary>
    private TestProbe Lines()
    {
        var probe = CreateTestProbe();
        Sys.EventStream.Subscribe(probe.Ref, typeof(JobSchedulingEvent));
        return probe;
    }

    /// <summary>The lines up to and including the first that starts with <paramref name="last"/>.</summary>
    private static List<string> LinesUntil(TestProbe lines, string last)
    {
        var seen = new List<string>();
        lines.FishForMessage(m =>
        {
            seen.Add(((JobSchedulingEvent)m).Line);
            return seen[^1].StartsWith(last, StringComparison.Ordinal);
        }, Wait, cancellationToken: Ct);
        return seen;
    }

    private void FinishAll(TestProbe worker, string id)
    {
        for (int i = 0; i < StoreBackend.Shards; i++)
        {
            var l = Take(worker, Job, id);
            Complete(worker, id, l);
        }
        Assert.True(worker.ExpectMsg<JobFinished>(Wait, cancellationToken: Ct).Succeeded);
    }

    [Fact]
    public void One_WorkerFailed_refuses_that_member_alone_in_one_line_and_its_shard_goes_to_the_healthy_worker()
    {
        var lines = Lines();
        var healthy = Register("healthy");
        var broken = Register("broken");
        var held = Take(broken, Job, "broken");
        // A zoo file missing on that node alone; the reason carries a newline and an escape, as native logs do.
        broken.Send(Job, new WorkerFailed(new WorkerId("broken"), "model file not found: zoo/a.onnx\n\u001b[31mat Load"));
        var refused = broken.ExpectMsg<WorkProtocol.WorkerRefused>(Wait, cancellationToken: Ct);
        Assert.Equal("cannot run the job: model file not found: zoo/a.onnx  [31mat Load", refused.Reason);
        broken.Send(Job, new RequestWork(new WorkerId("broken"), 1, Guid.NewGuid()));
        broken.ExpectMsg<WorkProtocol.WorkerRefused>(Wait, cancellationToken: Ct);

        var line = LinesUntil(lines, "worker_refused")[^1];
        Assert.Equal("worker_refused worker=broken reason=cannot run the job: model file not found: zoo/a.onnx  [31mat Load", line);

        // The broken member's lease is back in the queue; the healthy worker does every shard, that one included.
        var first = Take(healthy, Job, "healthy");
        Assert.Equal(held.ShardId, first.ShardId);
        Complete(healthy, "healthy", first);
        for (int i = 1; i < StoreBackend.Shards; i++) Complete(healthy, "healthy", Take(healthy, Job, "healthy"));
        Assert.True(healthy.ExpectMsg<JobFinished>(Wait, cancellationToken: Ct).Succeeded);
        // One line for the refusal, however often the refused member asks again.
        Assert.DoesNotContain(LinesUntil(lines, "cluster job_complete"), l => l.StartsWith("worker_refused", StringComparison.Ordinal));
    }

    [Fact]
    public void A_member_that_fails_one_shard_past_its_attempts_alone_is_refused_and_the_job_goes_on()
    {
        var honest = Register("honest");
        var liar = Register("liar");
        ShardLease? lease = null;
        for (int attempt = 0; attempt < 2; attempt++) // MaxAttempts = 2
        {
            lease = Take(liar, Job, "liar");
            liar.Send(Job, new ShardFailed(new WorkerId("liar"), lease.Lease, lease.ShardId, "disk full"));
            liar.ExpectMsg<CompletionAck>(Wait, cancellationToken: Ct);
        }
        var refused = liar.ExpectMsg<WorkProtocol.WorkerRefused>(Wait, cancellationToken: Ct);
        Assert.Equal($"shard {lease!.ShardId} failed 2 time(s) on this worker alone: disk full", refused.Reason);
        FinishAll(honest, "honest");
    }

    [Fact]
    public void Messages_under_a_workers_id_from_another_sender_are_ignored_and_the_honest_worker_goes_on()
    {
        var lines = Lines();
        var honest = Register("honest");
        var lease = Take(honest, Job, "honest");
        var id = new WorkerId("honest");
        var impostor = CreateTestProbe("impostor");
        // A completion whose files are not in the store would get its worker refused; a failure would re-queue its shard.
        impostor.Send(Job, new ShardCompleted(id, lease.Lease, Done(lease)));
        impostor.Send(Job, new ShardFailed(id, lease.Lease, lease.ShardId, "forged"));
        impostor.Send(Job, new ReleaseLease(id, lease.Lease));
        impostor.Send(Job, new WorkerFailed(id, "forged"));
        impostor.Send(Job, new RegisterWorker(id, 1, "cpu", ProtocolVersion.Current));
        impostor.ExpectNoMsg(TimeSpan.FromMilliseconds(500), cancellationToken: Ct);

        honest.Send(Job, new RenewLease(id, [lease.Lease]));
        Assert.Equal(lease.Lease, honest.ExpectMsg<LeaseRenewed>(Wait, cancellationToken: Ct).Lease);
        Complete(honest, "honest", lease);
        for (int i = 1; i < StoreBackend.Shards; i++) Complete(honest, "honest", Take(honest, Job, "honest"));
        Assert.True(honest.ExpectMsg<JobFinished>(Wait, cancellationToken: Ct).Succeeded);
        // The forged completion was never verified; the ignored messages were said once for the id, not once each.
        Assert.Equal(1, _backend.Verifications(lease.ShardId));
        var foreign = Assert.Single(LinesUntil(lines, "cluster job_complete"), l => l.StartsWith("foreign_sender", StringComparison.Ordinal));
        Assert.StartsWith("foreign_sender worker=honest sender=akka://protocol/", foreign);
    }
}
