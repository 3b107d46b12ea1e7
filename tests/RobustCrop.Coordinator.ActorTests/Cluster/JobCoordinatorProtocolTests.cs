using Akka.Actor;
using RobustCrop.Cluster.Protocol;
using RobustCrop.Coordinator.Cluster;
using RobustCrop.Core.Data;
using static RobustCrop.Cluster.Protocol.WorkProtocol;

namespace RobustCrop.Coordinator.ActorTests.Cluster;

/// <summary>Every answer of the protocol, asserted message by message against <c>TestProbe</c> workers.</summary>
[Trait("Category", "Cluster")]
public sealed class JobCoordinatorProtocolTests(ITestOutputHelper output) : JobSingletonTestKit(output)
{
    [Fact]
    public void A_lease_is_renewed_while_its_worker_renews_and_requeued_when_it_stops()
    {
        var a = Register("a");
        var b = Register("b");
        var lease = Take(a, Job, "a");
        _clock.Advance(TimeSpan.FromSeconds(20));
        a.Send(Job, new RenewLease(new WorkerId("a"), [lease.Lease]));
        Assert.Equal(_clock.GetUtcNow() + Lease, a.ExpectMsg<LeaseRenewed>(cancellationToken: Ct).ExpiresUtc);
        // 25 s after the renewal: still a's, so b gets another shard.
        _clock.Advance(TimeSpan.FromSeconds(25));
        Thread.Sleep(200);
        Assert.NotEqual(lease.ShardId, Take(b, Job, "b").ShardId);
        // Past expiry (the singleton's next tick re-queues it): back at the head of the queue for the next worker, and
        // a's renewal is answered "lost". Renewing before that tick would legitimately keep the lease, so only requests
        // are sent until it moved.
        _clock.Advance(TimeSpan.FromSeconds(10));
        var c = Register("c");
        // Before the tick c may get the other queued shard; it keeps asking until the re-queued one comes first.
        AwaitAssert(() => Assert.Equal(lease.ShardId, Take(c, Job, "c").ShardId), TimeSpan.FromSeconds(15), cancellationToken: Ct);
        a.Send(Job, new RenewLease(new WorkerId("a"), [lease.Lease]));
        a.ExpectMsg<LeaseLost>(TimeSpan.FromSeconds(5), cancellationToken: Ct);
    }

    [Fact]
    public void A_duplicate_completion_is_acknowledged_and_counted_once()
    {
        var a = Register("a");
        var lease = Take(a, Job, "a");
        Complete(a, "a", lease);
        Complete(a, "a", lease);
        Assert.Equal(1, _backend.Verifications(lease.ShardId));
    }

    [Fact]
    public void A_completion_whose_files_are_not_in_the_store_is_refused_and_its_shard_done_by_another_worker()
    {
        var liar = Register("liar");
        var lease = Take(liar, Job, "liar");
        // Not written to the store: the worker's word alone.
        liar.Send(Job, new ShardCompleted(new WorkerId("liar"), lease.Lease, Done(lease)));
        var refused = liar.ExpectMsg<WorkProtocol.WorkerRefused>(TimeSpan.FromSeconds(10), cancellationToken: Ct);
        Assert.Contains("not in the job's store", refused.Reason);
        liar.Send(Job, new RequestWork(new WorkerId("liar"), 1, Guid.NewGuid()));
        liar.ExpectMsg<WorkProtocol.WorkerRefused>(cancellationToken: Ct);

        var honest = Register("honest");
        var seen = new HashSet<ShardId>();
        for (int i = 0; i < StoreBackend.Shards; i++)
        {
            var l = Take(honest, Job, "honest");
            seen.Add(l.ShardId);
            Complete(honest, "honest", l);
        }
        Assert.Contains(lease.ShardId, seen);
        honest.ExpectMsg<JobFinished>(TimeSpan.FromSeconds(10), cancellationToken: Ct);
    }

    [Fact]
    public void A_worker_of_another_protocol_version_is_refused_naming_both_versions()
    {
        var old = CreateTestProbe();
        old.Send(Job, new RegisterWorker(new WorkerId("old"), 1, "cpu", 1));
        var refused = old.ExpectMsg<WorkProtocol.WorkerRefused>(TimeSpan.FromSeconds(20), cancellationToken: Ct);
        Assert.StartsWith($"protocol version 1 (this coordinator speaks {ProtocolVersion.Current})", refused.Reason);
    }

    [Fact]
    public void A_worker_that_rejoins_after_losing_its_node_gets_its_requeued_shards_under_new_leases()
    {
        var a = Register("a");
        var lease = Take(a, Job, "a");
        // Its node is gone (a new process, a new worker id): the old lease is not renewed and expires.
        _clock.Advance(Lease + TimeSpan.FromSeconds(1));
        var again = Register("a-2");
        AwaitAssert(() => Assert.Equal(lease.ShardId, Take(again, Job, "a-2").ShardId), TimeSpan.FromSeconds(10), cancellationToken: Ct);
    }

    [Fact]
    public void A_failing_shard_is_retried_then_fails_the_job_with_its_reason()
    {
        var a = Register("a");
        var first = Take(a, Job, "a");
        a.Send(Job, new ShardFailed(new WorkerId("a"), first.Lease, first.ShardId, "disk full"));
        a.ExpectMsg<CompletionAck>(cancellationToken: Ct);
        var second = Take(a, Job, "a");
        Assert.Equal(first.ShardId, second.ShardId);
        a.Send(Job, new ShardFailed(new WorkerId("a"), second.Lease, second.ShardId, "disk full"));
        a.ExpectMsg<CompletionAck>(cancellationToken: Ct);
        var finished = a.ExpectMsg<JobFinished>(TimeSpan.FromSeconds(10), cancellationToken: Ct);
        Assert.False(finished.Succeeded);
        Assert.Equal("disk full", finished.Reason);
    }

    [Fact]
    public async Task A_run_completes_only_when_every_shard_is_verified_and_the_outcome_reaches_the_edge()
    {
        var a = Register("a");
        for (int i = 0; i < StoreBackend.Shards; i++) Complete(a, "a", Take(a, Job, "a"));
        var outcome = await _events.WaitAsync(new NullObserver(), TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        Assert.True(outcome.Succeeded, outcome.FailureReason);
        Assert.Equal(StoreBackend.Shards, _backend.Written.Count);
    }

    [Fact]
    public void A_coordinator_that_announced_its_stop_grants_no_lease_and_never_completes_the_run()
    {
        var a = Register("a");
        var held = new List<ShardLease>();
        for (int i = 0; i < StoreBackend.Shards - 1; i++) held.Add(Take(a, Job, "a"));
        Complete(a, "a", held[0]);
        a.Send(Job, new JobCoordinatorActor.AnnounceStop());
        a.ExpectMsg<CoordinatorStopping>(TimeSpan.FromSeconds(10), cancellationToken: Ct);
        a.ExpectMsg<JobCoordinatorActor.StopAnnounced>(TimeSpan.FromSeconds(10), cancellationToken: Ct);
        // The shards still running finish while the node stops: recorded (the resume skips them), never a new lease.
        foreach (var l in held.Skip(1)) Complete(a, "a", l);
        a.Send(Job, new RequestWork(new WorkerId("a"), 1, Guid.NewGuid()));
        a.ExpectMsg<NoWorkYet>(TimeSpan.FromSeconds(10), cancellationToken: Ct);
        a.ExpectNoMsg(TimeSpan.FromMilliseconds(500), cancellationToken: Ct);
        Assert.Equal(0, _backend.Completions);
    }

    [Fact]
    public async Task A_restarted_singleton_resumes_from_the_store_and_leases_only_what_is_not_done()
    {
        var a = Register("a");
        var done = new[] { Take(a, Job, "a"), Take(a, Job, "a") };
        foreach (var l in done) Complete(a, "a", l);
        var third = Take(a, Job, "a");
        _backend.Write(third.ShardId);
        _backend.ThrowOnNextVerify = true;
        a.Send(Job, new ShardCompleted(new WorkerId("a"), third.Lease, Done(third)));
        // The new incarnation planned from the store, where three shards are written (the third's report was lost with
        // the old incarnation, its files were not): one shard is left, and the worker carries on.
        AwaitAssert(() => Assert.Equal(2, _backend.Plans), TimeSpan.FromSeconds(10), cancellationToken: Ct);
        a.Send(Job, new RegisterWorker(new WorkerId("a"), 1, "cpu", ProtocolVersion.Current));
        a.FishForMessage(m => m is JobSpec, TimeSpan.FromSeconds(10), cancellationToken: Ct);
        var leased = new List<ShardId>();
        var observer = new NullObserver();
        var outcome = _events.WaitAsync(observer, Ct);
        var last = Take(a, Job, "a");
        leased.Add(last.ShardId);
        Complete(a, "a", last);
        var result = await outcome.WaitAsync(TimeSpan.FromSeconds(20), Ct);
        Assert.True(result.Succeeded, result.FailureReason);
        Assert.DoesNotContain(done[0].ShardId, leased);
        Assert.DoesNotContain(done[1].ShardId, leased);
        Assert.DoesNotContain(third.ShardId, leased);
        Assert.Equal(StoreBackend.Shards, _backend.Written.Count);
    }
}
