using Microsoft.Extensions.Time.Testing;
using RobustCrop.Cluster.Protocol;
using RobustCrop.Coordinator.Cluster;
using RobustCrop.Coordinator.Scheduling;
using RobustCrop.Core.Data;
using static RobustCrop.Cluster.Protocol.WorkProtocol;

namespace RobustCrop.Coordinator.Tests.Scheduling;

public sealed class ShardSchedulerTests
{
    private static readonly WorkerId A = new("a"), B = new("b");
    private const string AddressA = "akka.tcp://robustcrop@10.0.0.1:1", AddressB = "akka.tcp://robustcrop@10.0.0.2:1";

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly CoordinatorSettings _settings = new() { LeaseDuration = TimeSpan.FromSeconds(30), MaxAttempts = 3, NoWorkRetry = TimeSpan.FromSeconds(1) };

    private ShardScheduler Planned(int shards)
    {
        var s = new ShardScheduler(_settings, _clock);
        s.Plan(Enumerable.Range(0, shards).Select(i => new DatasetShard(new ShardId(i), ShardSource.Of("part"), i * 10L, 10)));
        return s;
    }

    private static List<ShardLease> Leases(IEnumerable<IClusterMessage> answers) => answers.OfType<ShardLease>().ToList();

    private static ManifestSummary Manifest(ShardLease l) => new(l.ShardId, 10, 0, 100, 2, [], DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);

    private static void Finish(ShardScheduler s, WorkerId w, ShardLease l)
    {
        Assert.Equal(CompletionStep.Verify, s.Complete(w, l.Lease, l.ShardId).Value);
        s.Verified(w, l.Lease, Manifest(l));
    }

    [Fact]
    public void Before_the_plan_requests_are_answered_no_work_yet()
    {
        var s = new ShardScheduler(_settings, _clock);
        var answer = Assert.Single(s.Request(A, AddressA, 4, Guid.NewGuid()).Value);
        Assert.Equal(TimeSpan.FromSeconds(1), Assert.IsType<NoWorkYet>(answer).RetryAfter);
    }

    [Fact]
    public void A_request_gets_up_to_its_capacity_in_plan_order_with_the_lease_duration()
    {
        var s = Planned(5);
        var leases = Leases(s.Request(A, AddressA, 3, Guid.NewGuid()).Value);
        Assert.Equal([0, 1, 2], leases.Select(l => l.ShardId.Value));
        Assert.All(leases, l => Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromSeconds(30), l.ExpiresUtc));
        Assert.Equal(new SchedulerCounts(5, 0, 3, 2, 1, 3, 0), s.Counts);
    }

    [Fact]
    public void A_worker_gets_the_shard_after_its_last_of_the_same_tar_and_another_worker_starts_another_tar()
    {
        // Two tars of three shards each: a tar's shards are consecutive ranges of one source.
        var s = new ShardScheduler(_settings, _clock);
        s.Plan(Enumerable.Range(0, 6).Select(i => new DatasetShard(new ShardId(i), ShardSource.Of($"t{i / 3}"), i % 3 * 10L, 10)));
        var a = Leases(s.Request(A, AddressA, 1, Guid.NewGuid()).Value).Single();
        var b = Leases(s.Request(B, AddressB, 1, Guid.NewGuid()).Value).Single();
        Assert.Equal((0, 3), (a.ShardId.Value, b.ShardId.Value));
        Finish(s, B, b);
        Assert.Equal(4, Leases(s.Request(B, AddressB, 1, Guid.NewGuid()).Value).Single().ShardId.Value);
        Finish(s, A, a);
        Assert.Equal(1, Leases(s.Request(A, AddressA, 1, Guid.NewGuid()).Value).Single().ShardId.Value);
    }

    [Fact]
    public void With_no_tar_left_to_start_a_worker_gets_the_queues_head()
    {
        var s = Planned(3);
        var a = Leases(s.Request(A, AddressA, 1, Guid.NewGuid()).Value).Single();
        Assert.Equal(0, a.ShardId.Value);
        Assert.Equal(1, Leases(s.Request(B, AddressB, 1, Guid.NewGuid()).Value).Single().ShardId.Value);
        Finish(s, A, a);
        Assert.Equal(2, Leases(s.Request(A, AddressA, 1, Guid.NewGuid()).Value).Single().ShardId.Value);
    }

    [Fact]
    public void A_resent_request_gets_the_same_leases_never_new_ones()
    {
        var s = Planned(5);
        var id = Guid.NewGuid();
        var first = Leases(s.Request(A, AddressA, 2, id).Value);
        var again = Leases(s.Request(A, AddressA, 2, id).Value);
        Assert.Equal(first.Select(l => l.Lease), again.Select(l => l.Lease));
        Assert.Equal(3, s.Counts.Queued);
    }

    [Fact]
    public void Renewal_extends_a_live_lease_and_answers_lost_for_one_that_is_not_the_workers()
    {
        var s = Planned(2);
        var lease = Leases(s.Request(A, AddressA, 1, Guid.NewGuid()).Value)[0];
        _clock.Advance(TimeSpan.FromSeconds(20));
        var renewed = Assert.IsType<LeaseRenewed>(Assert.Single(s.Renew(A, [lease.Lease])));
        Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromSeconds(30), renewed.ExpiresUtc);
        Assert.IsType<LeaseLost>(Assert.Single(s.Renew(B, [lease.Lease])));
        // Renewed at 20 s, so still live at 45 s, gone after 50 s.
        _clock.Advance(TimeSpan.FromSeconds(25));
        s.ExpireLeases();
        Assert.Equal(1, s.Counts.Leased);
        _clock.Advance(TimeSpan.FromSeconds(6));
        s.ExpireLeases();
        Assert.Equal(0, s.Counts.Leased);
    }

    [Fact]
    public void An_expired_lease_is_requeued_first_and_its_renewal_is_answered_lost()
    {
        var s = Planned(3);
        var lease = Leases(s.Request(A, AddressA, 1, Guid.NewGuid()).Value)[0];
        _clock.Advance(TimeSpan.FromSeconds(31));
        var requeued = Assert.Single(s.ExpireLeases().OfType<ShardRequeued>());
        Assert.Equal((lease.ShardId, RequeueReason.LeaseExpired), (requeued.Shard, requeued.Reason));
        Assert.Equal(1, s.Requeues[RequeueReason.LeaseExpired]);
        Assert.IsType<LeaseLost>(Assert.Single(s.Renew(A, [lease.Lease])));
        // Back at the head of the queue, under a new lease id.
        var next = Leases(s.Request(B, AddressB, 1, Guid.NewGuid()).Value)[0];
        Assert.Equal(lease.ShardId, next.ShardId);
        Assert.NotEqual(lease.Lease, next.Lease);
    }

    [Fact]
    public void A_removed_node_has_its_leases_requeued_at_once_and_its_workers_forgotten()
    {
        var s = Planned(4);
        var onA = Leases(s.Request(A, AddressA, 2, Guid.NewGuid()).Value);
        var onB = Leases(s.Request(B, AddressB, 1, Guid.NewGuid()).Value);
        var events = s.NodeRemoved(AddressA, "worker-removed");
        Assert.Equal(onA.Select(l => l.ShardId.Value).Order(), events.OfType<ShardRequeued>().Select(r => r.Shard.Value).Order());
        Assert.All(events.OfType<ShardRequeued>(), r => Assert.Equal(RequeueReason.WorkerRemoved, r.Reason));
        Assert.Equal(A, Assert.Single(events.OfType<WorkerLeft>()).Worker);
        Assert.Equal([B], s.Workers.Select(w => w.Id));
        Assert.Equal(1, s.Counts.Leased);
        Assert.Equal(onB[0].Lease, Assert.IsType<LeaseRenewed>(Assert.Single(s.Renew(B, [onB[0].Lease]))).Lease);
    }

    [Fact]
    public void A_completion_counts_only_once_verified_and_a_duplicate_is_harmless()
    {
        var s = Planned(1);
        var lease = Leases(s.Request(A, AddressA, 1, Guid.NewGuid()).Value)[0];
        Assert.Equal(CompletionStep.Verify, s.Complete(A, lease.Lease, lease.ShardId).Value);
        // Resent while the store is read: no second verification.
        Assert.Equal(CompletionStep.Pending, s.Complete(A, lease.Lease, lease.ShardId).Value);
        Assert.False(s.AllDone);
        s.Verified(A, lease.Lease, Manifest(lease));
        Assert.True(s.AllDone);
        var duplicate = s.Complete(A, lease.Lease, lease.ShardId);
        Assert.Equal(CompletionStep.Duplicate, duplicate.Value);
        Assert.IsType<DuplicateCompletion>(Assert.Single(duplicate.Events));
        Assert.Equal(1, s.Counts.Done);
    }

    [Fact]
    public void A_late_completion_of_a_requeued_shard_still_counts_and_revokes_the_newer_lease()
    {
        var s = Planned(1);
        var old = Leases(s.Request(A, AddressA, 1, Guid.NewGuid()).Value)[0];
        _clock.Advance(TimeSpan.FromSeconds(31));
        s.ExpireLeases();
        var newer = Leases(s.Request(B, AddressB, 1, Guid.NewGuid()).Value)[0];
        Finish(s, A, old);
        Assert.True(s.AllDone);
        Assert.IsType<LeaseLost>(Assert.Single(s.Renew(B, [newer.Lease])));
    }

    [Fact]
    public void A_rejected_completion_requeues_the_workers_shards_and_refuses_it_from_then_on()
    {
        var s = Planned(4);
        var leases = Leases(s.Request(A, AddressA, 2, Guid.NewGuid()).Value);
        Assert.Equal(CompletionStep.Verify, s.Complete(A, leases[0].Lease, leases[0].ShardId).Value);
        s.Rejected(A, leases[0].ShardId, "its manifest is not in the job's store");
        Assert.Equal(0, s.Counts.Leased);
        Assert.Equal(4, s.Counts.Queued);
        Assert.Equal(2, s.Requeues[RequeueReason.Rejected]);
        var refused = Assert.IsType<WorkProtocol.WorkerRefused>(Assert.Single(s.Request(A, AddressA, 1, Guid.NewGuid()).Value));
        Assert.Contains("not in the job's store", refused.Reason);
        // A worker that writes where the job says does the shards.
        var fromB = Leases(s.Request(B, AddressB, 4, Guid.NewGuid()).Value);
        Assert.Equal([0, 1, 2, 3], fromB.Select(l => l.ShardId.Value).Order());
        foreach (var l in fromB) Finish(s, B, l);
        Assert.True(s.AllDone);
    }

    [Fact]
    public void A_completion_that_cannot_be_read_back_fails_the_shard_but_keeps_the_worker()
    {
        var s = Planned(2);
        var leases = Leases(s.Request(A, AddressA, 2, Guid.NewGuid()).Value);
        Assert.Equal(CompletionStep.Verify, s.Complete(A, leases[0].Lease, leases[0].ShardId).Value);
        // The store did not answer: the shard goes back to the queue (an attempt used), its other shard stays leased,
        // and the worker is asked for work again rather than refused.
        Assert.Equal(FailureStep.Requeued, s.VerifyFailed(A, leases[0].Lease, leases[0].ShardId, "storage error: connection refused").Value);
        Assert.Equal((1, 1), (s.Counts.Leased, s.Counts.Queued));
        Assert.Equal(0, s.Requeues[RequeueReason.Rejected]);
        var again = Leases(s.Request(A, AddressA, 1, Guid.NewGuid()).Value);
        Assert.Equal([0], again.Select(l => l.ShardId.Value));
        // Its attempts run out like any failure's: the third unreadable completion fails the job.
        Assert.Equal(CompletionStep.Verify, s.Complete(A, again[0].Lease, again[0].ShardId).Value);
        Assert.Equal(FailureStep.Requeued, s.VerifyFailed(A, again[0].Lease, again[0].ShardId, "storage error").Value);
        var third = Leases(s.Request(A, AddressA, 1, Guid.NewGuid()).Value)[0];
        Assert.Equal(CompletionStep.Verify, s.Complete(A, third.Lease, third.ShardId).Value);
        Assert.Equal(FailureStep.JobFails, s.VerifyFailed(A, third.Lease, third.ShardId, "storage error").Value);
    }

    [Fact]
    public void A_rejected_completion_whose_lease_expired_first_is_not_lost_nor_queued_twice()
    {
        var s = Planned(1);
        var lease = Leases(s.Request(A, AddressA, 1, Guid.NewGuid()).Value)[0];
        Assert.Equal(CompletionStep.Verify, s.Complete(A, lease.Lease, lease.ShardId).Value);
        _clock.Advance(TimeSpan.FromSeconds(31));
        s.ExpireLeases();
        s.Rejected(A, lease.ShardId, "elsewhere");
        Assert.Equal(1, s.Counts.Queued);
        Assert.Single(Leases(s.Request(B, AddressB, 5, Guid.NewGuid()).Value));
    }

    [Fact]
    public void Failures_requeue_until_the_attempts_run_out_then_the_job_fails()
    {
        var s = Planned(1);
        for (int attempt = 1; attempt <= 3; attempt++)
        {
            var lease = Leases(s.Request(A, AddressA, 1, Guid.NewGuid()).Value)[0];
            var step = s.Failed(A, lease.Lease, "disk full").Value;
            Assert.Equal(attempt < 3 ? FailureStep.Requeued : FailureStep.JobFails, step);
        }
        Assert.Equal(2, s.Requeues[RequeueReason.Failed]);
        Assert.Equal(FailureStep.Ignored, s.Failed(A, new LeaseId(999), "late").Value);
    }

    [Fact]
    public void A_released_lease_goes_back_first_without_counting_as_a_failure()
    {
        var s = Planned(3);
        var lease = Leases(s.Request(A, AddressA, 1, Guid.NewGuid()).Value)[0];
        s.Release(B, lease.Lease); // not B's: ignored
        Assert.Equal(1, s.Counts.Leased);
        s.Release(A, lease.Lease, "stopping");
        Assert.Equal(0, s.Counts.Leased);
        Assert.Equal(1, s.Requeues[RequeueReason.Released]);
        Assert.Equal(lease.ShardId, Leases(s.Request(B, AddressB, 1, Guid.NewGuid()).Value)[0].ShardId);
    }

    [Fact]
    public void A_worker_of_another_protocol_version_is_refused_with_both_versions_named()
    {
        var s = Planned(1);
        string? why = s.Register(A, AddressA, ProtocolVersion.Current - 1).Value;
        Assert.Equal($"protocol version {ProtocolVersion.Current - 1} (this coordinator speaks {ProtocolVersion.Current}); run the same RobustCrop release on every node", why);
        Assert.Null(s.Register(B, AddressB, ProtocolVersion.Current).Value);
        Assert.IsType<WorkProtocol.WorkerRefused>(Assert.Single(s.Request(A, AddressA, 1, Guid.NewGuid()).Value));
    }

    [Fact]
    public void Closed_while_aggregating_nothing_more_is_leased()
    {
        var s = Planned(2);
        s.Closed = true;
        Assert.IsType<NoWorkYet>(Assert.Single(s.Request(A, AddressA, 2, Guid.NewGuid()).Value));
    }

    [Fact]
    public void A_completion_before_a_restarted_plan_keeps_the_shard_out_of_the_queue()
    {
        var s = new ShardScheduler(_settings, _clock);
        var shard = new DatasetShard(new ShardId(7), ShardSource.Of("part"), 0, 10);
        var lease = new ShardLease(new LeaseId(1), shard.Id, shard, _clock.GetUtcNow(), Guid.NewGuid());
        Finish(s, A, lease);
        s.Plan([shard, new DatasetShard(new ShardId(8), ShardSource.Of("part"), 10, 10)]);
        Assert.Equal(1, s.Counts.Queued);
        Assert.Equal(1, s.Counts.Done);
    }

    [Fact]
    public void A_hundred_thousand_shards_are_leased_and_completed_exactly_once()
    {
        var s = Planned(100_000);
        var seen = new HashSet<int>();
        while (!s.AllDone)
        {
            foreach (var l in Leases(s.Request(A, AddressA, 64, Guid.NewGuid()).Value))
            {
                Assert.True(seen.Add(l.ShardId.Value));
                Finish(s, A, l);
            }
        }
        Assert.Equal(100_000, seen.Count);
        Assert.Equal(new SchedulerCounts(100_000, 100_000, 0, 0, 1, 100_000, 0), s.Counts);
    }

    [Fact]
    public void A_request_for_int_MaxValue_gets_the_capacity_cap_and_a_worker_never_holds_more_than_its_lease_cap()
    {
        Assert.Equal(64, Leases(Planned(200).Request(A, AddressA, int.MaxValue, Guid.NewGuid()).Value).Count);
        var s = new ShardScheduler(_settings with { MaxCapacityPerWorker = 4, MaxLeasesPerWorker = 6 }, _clock);
        s.Plan(Enumerable.Range(0, 200).Select(i => new DatasetShard(new ShardId(i), ShardSource.Of("part"), i * 10L, 10)));
        Assert.Equal(4, Leases(s.Request(A, AddressA, int.MaxValue, Guid.NewGuid()).Value).Count);
        Assert.Equal(2, Leases(s.Request(A, AddressA, int.MaxValue, Guid.NewGuid()).Value).Count);
        Assert.IsType<NoWorkYet>(Assert.Single(s.Request(A, AddressA, int.MaxValue, Guid.NewGuid()).Value));
        // Other workers are still served from the queue.
        Assert.Equal(4, Leases(s.Request(B, AddressB, 5, Guid.NewGuid()).Value).Count);
        Assert.Equal(190, s.Counts.Queued);
    }

    [Fact]
    public void A_member_alone_failing_a_shard_past_its_attempts_is_refused_and_a_second_workers_failure_fails_the_job()
    {
        var s = Planned(2);
        Assert.Null(s.Register(B, AddressB, ProtocolVersion.Current).Value);
        ShardLease lease = null!;
        for (int attempt = 1; attempt <= 3; attempt++)
        {
            lease = Leases(s.Request(A, AddressA, 1, Guid.NewGuid()).Value)[0];
            var step = s.Failed(A, lease.Lease, "disk full\n\u001b[0m").Value;
            Assert.Equal(attempt < 3 ? FailureStep.Requeued : FailureStep.WorkerRefused, step);
        }
        Assert.Equal($"shard {lease.ShardId} failed 3 time(s) on this worker alone: disk full  [0m", s.RefusalOf(A));
        Assert.Equal([B], s.Workers.Select(w => w.Id));
        // The shard goes on with B; failing there too, it has failed on two workers: the shard fails the job.
        var onB = Leases(s.Request(B, AddressB, 1, Guid.NewGuid()).Value)[0];
        Assert.Equal(lease.ShardId, onB.ShardId);
        Assert.Equal(FailureStep.JobFails, s.Failed(B, onB.Lease, "disk full").Value);
    }

    [Fact]
    public void A_failure_of_a_lease_that_is_not_the_senders_is_ignored()
    {
        var s = Planned(1);
        var lease = Leases(s.Request(A, AddressA, 1, Guid.NewGuid()).Value)[0];
        Assert.Equal(FailureStep.Ignored, s.Failed(B, lease.Lease, "forged").Value);
        Assert.Equal(1, s.Counts.Leased);
    }

    [Fact]
    public void A_worker_that_cannot_run_the_job_is_refused_alone_in_a_cluster_and_ends_an_embedded_job()
    {
        var s = Planned(3);
        var held = Leases(s.Request(A, AddressA, 2, Guid.NewGuid()).Value);
        Assert.Equal(FailureStep.WorkerRefused, s.CannotRun(A, AddressA, "model file not found: zoo/a.onnx").Value);
        Assert.Equal("cannot run the job: model file not found: zoo/a.onnx", s.RefusalOf(A));
        Assert.Equal((0, 3), (s.Counts.Leased, s.Counts.Queued));
        Assert.Equal(held.Select(l => l.ShardId.Value).Order(), Leases(s.Request(B, AddressB, 2, Guid.NewGuid()).Value).Select(l => l.ShardId.Value).Order());

        var embedded = new ShardScheduler(_settings with { WorkersAreLocal = true }, _clock);
        Assert.Equal(FailureStep.JobFails, embedded.CannotRun(A, AddressA, "model file not found: zoo/a.onnx").Value);
    }

    [Fact]
    public void An_id_is_bound_to_the_sender_that_first_named_it_and_other_senders_are_foreign_said_once()
    {
        var s = Planned(1);
        const string Honest = AddressA + "/user/worker-0", Impostor = AddressB + "/user/worker-0";
        Assert.Equal(Admission.Accepted, s.Admit(A, Honest, out _).Value);
        var first = s.Admit(A, Impostor, out _);
        var second = s.Admit(A, Impostor, out _);
        Assert.Equal((Admission.Foreign, Admission.Foreign), (first.Value, second.Value));
        Assert.Equal(new ForeignSender(A, Impostor), Assert.Single(first.Events));
        Assert.Empty(second.Events);
        Assert.Equal(Admission.Accepted, s.Admit(A, Honest, out _).Value);
        // The id's node leaving frees it (a worker path is matched by its node's address).
        s.NodeRemoved(AddressA, "worker-removed");
        Assert.Equal(Admission.Accepted, s.Admit(A, Impostor, out _).Value);
    }

    [Fact]
    public void A_worker_id_of_60_KB_or_with_control_characters_is_refused_and_nothing_of_it_is_kept()
    {
        var s = Planned(1);
        var huge = new WorkerId(new string('x', 60_000));
        var registered = s.Register(huge, AddressA, ProtocolVersion.Current);
        Assert.Equal("a worker id of 60000 characters (1 to 128 are accepted)", registered.Value);
        // The refusal line shows the id's first 40 characters only.
        var refusal = Assert.IsType<RobustCrop.Coordinator.Scheduling.WorkerRefused>(Assert.Single(registered.Events));
        Assert.Equal(new string('x', 40) + "…", refusal.Worker.Value);
        Assert.IsType<WorkProtocol.WorkerRefused>(Assert.Single(s.Request(huge, AddressA, 1, Guid.NewGuid()).Value));
        Assert.Equal(Admission.Refused, s.Admit(huge, AddressA, out _).Value);
        Assert.Equal("a worker id with the character U+001B (letters, digits and . _ - : @ are accepted)",
            s.Register(new WorkerId("gpu\u001b[2J"), AddressA, ProtocolVersion.Current).Value);
        Assert.Empty(s.Workers);
        Assert.Equal(0, s.Counts.Workers);
    }

    [Fact]
    public void Past_the_worker_limit_new_ids_are_refused_until_a_node_leaves()
    {
        var s = new ShardScheduler(_settings with { MaxWorkers = 3 }, _clock);
        for (int i = 0; i < 3; i++) Assert.Null(s.Register(new WorkerId($"w{i}"), AddressA, ProtocolVersion.Current).Value);
        Assert.Equal("the coordinator already has 3 workers, its limit", s.Register(B, AddressB, ProtocolVersion.Current).Value);
        Assert.Null(s.Register(new WorkerId("w0"), AddressA, ProtocolVersion.Current).Value);
        s.NodeRemoved(AddressA, "worker-removed");
        Assert.Null(s.Register(B, AddressB, ProtocolVersion.Current).Value);
    }
}
