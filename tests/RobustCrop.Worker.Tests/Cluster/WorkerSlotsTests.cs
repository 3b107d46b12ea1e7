using Microsoft.Extensions.Time.Testing;
using RobustCrop.Cluster.Protocol;
using RobustCrop.Core.Data;
using RobustCrop.Worker.Cluster;
using static RobustCrop.Cluster.Protocol.WorkProtocol;

namespace RobustCrop.Worker.Tests.Cluster;

public sealed class WorkerSlotsTests
{
    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(2);
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private WorkerSlots Registered(int capacity)
    {
        var slots = new WorkerSlots(new WorkerId("w"), capacity, "cpu", Retry, _clock);
        slots.Registration();
        slots.OnRegistered();
        return slots;
    }

    private static ShardLease Lease(long id, Guid correlation)
        => new(new LeaseId(id), new ShardId((int)id), new DatasetShard(new ShardId((int)id), ShardSource.Of("p"), 0, 1), DateTimeOffset.MaxValue, correlation);

    private static ManifestSummary Manifest(int shard) => new(new ShardId(shard), 1, 0, 35, 2, [], DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);

    [Fact]
    public void Registration_is_resent_each_retry_interval_until_the_spec_comes_and_carries_the_protocol_version()
    {
        var slots = new WorkerSlots(new WorkerId("w"), 1, "cuda:0", Retry, _clock);
        var first = slots.Registration();
        Assert.Equal(new RegisterWorker(new WorkerId("w"), 1, "cuda:0", ProtocolVersion.Current), first);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Empty(slots.DueResends());
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.IsType<RegisterWorker>(Assert.Single(slots.DueResends()));
        slots.OnRegistered();
        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Empty(slots.DueResends());
        Assert.Null(new WorkerSlots(new WorkerId("x"), 1, "cpu", Retry, _clock).NextRequest()); // not registered: no request
    }

    [Fact]
    public void One_request_at_a_time_for_the_free_slots_resent_with_the_same_correlation_id()
    {
        var slots = Registered(3);
        var request = slots.NextRequest()!;
        Assert.Equal(3, request.Capacity);
        Assert.Null(slots.NextRequest());
        _clock.Advance(Retry);
        Assert.Equal(request, Assert.Single(slots.DueResends()));
        // Just resent: not again before another interval.
        Assert.Empty(slots.DueResends());
    }

    [Fact]
    public void Leases_fill_the_slots_the_rest_are_released_and_repeats_are_ignored()
    {
        var slots = Registered(2);
        var request = slots.NextRequest()!;
        Assert.Equal(LeaseStep.Start, slots.OnLease(Lease(1, request.CorrelationId)));
        Assert.Equal(LeaseStep.Ignore, slots.OnLease(Lease(1, request.CorrelationId)));
        Assert.Equal(LeaseStep.Start, slots.OnLease(Lease(2, request.CorrelationId)));
        Assert.Equal(LeaseStep.Release, slots.OnLease(Lease(3, request.CorrelationId)));
        Assert.Equal(new ReleaseLease(new WorkerId("w"), new LeaseId(3)), slots.ReleaseOf(new LeaseId(3)));
        Assert.Null(slots.NextRequest()); // full
        Assert.Equal([1L, 2L], slots.Running.Select(l => l.Value).Order());
    }

    [Fact]
    public void NoWorkYet_answers_only_the_request_in_flight()
    {
        var slots = Registered(1);
        var request = slots.NextRequest()!;
        Assert.False(slots.OnNoWork(new NoWorkYet(Guid.NewGuid(), TimeSpan.FromSeconds(1))));
        Assert.True(slots.OnNoWork(new NoWorkYet(request.CorrelationId, TimeSpan.FromSeconds(1))));
        Assert.NotNull(slots.NextRequest());
    }

    [Fact]
    public void A_completion_is_resent_until_acknowledged_and_a_repeat_lease_of_it_is_ignored()
    {
        var slots = Registered(1);
        var request = slots.NextRequest()!;
        slots.OnLease(Lease(5, request.CorrelationId));
        var done = slots.OnShardWritten(new LeaseId(5), Manifest(5))!;
        Assert.Equal(new LeaseId(5), done.Lease);
        Assert.False(slots.Drained);
        Assert.Equal(LeaseStep.Ignore, slots.OnLease(Lease(5, request.CorrelationId)));
        _clock.Advance(Retry);
        Assert.Equal(done, Assert.Single(slots.DueResends()));
        slots.OnAck(new LeaseId(5));
        _clock.Advance(Retry);
        Assert.Empty(slots.DueResends());
        Assert.True(slots.Drained);
    }

    [Fact]
    public void A_lost_lease_frees_its_slot_and_its_late_result_is_not_sent()
    {
        var slots = Registered(1);
        slots.OnLease(Lease(7, slots.NextRequest()!.CorrelationId));
        Assert.True(slots.OnLeaseLost(new LeaseId(7)));
        Assert.False(slots.OnLeaseLost(new LeaseId(7)));
        Assert.Null(slots.OnShardWritten(new LeaseId(7), Manifest(7)));
        Assert.Null(slots.OnShardFailed(new LeaseId(7), "cancelled"));
        Assert.NotNull(slots.NextRequest());
    }

    [Fact]
    public void A_failure_names_its_shard_and_is_resent_until_acknowledged()
    {
        var slots = Registered(1);
        slots.OnLease(Lease(9, slots.NextRequest()!.CorrelationId));
        var failed = slots.OnShardFailed(new LeaseId(9), "disk full")!;
        Assert.Equal(new ShardFailed(new WorkerId("w"), new LeaseId(9), new ShardId(9), "disk full"), failed);
        _clock.Advance(Retry);
        Assert.Equal(failed, Assert.Single(slots.DueResends()));
    }

    [Fact]
    public void Stopping_with_hand_back_releases_every_running_lease_and_asks_for_nothing_more()
    {
        var slots = Registered(2);
        var request = slots.NextRequest()!;
        slots.OnLease(Lease(1, request.CorrelationId));
        slots.OnLease(Lease(2, request.CorrelationId));
        var released = slots.Stop(handBack: true);
        Assert.Equal([1L, 2L], released.Select(l => l.Lease.Value).Order());
        Assert.True(slots.Drained);
        Assert.Null(slots.NextRequest());
        Assert.Equal(LeaseStep.Release, slots.OnLease(Lease(3, Guid.NewGuid())));
    }

    [Fact]
    public void Stopping_with_a_grace_lets_running_shards_finish_and_report()
    {
        var slots = Registered(1);
        slots.OnLease(Lease(1, slots.NextRequest()!.CorrelationId));
        Assert.Empty(slots.Stop(handBack: false));
        Assert.False(slots.Drained);
        Assert.NotNull(slots.OnShardWritten(new LeaseId(1), Manifest(1)));
        slots.OnAck(new LeaseId(1));
        Assert.True(slots.Drained);
        Assert.Null(slots.NextRequest());
    }

    [Fact]
    public void Renewal_lists_exactly_the_running_leases()
    {
        var slots = Registered(2);
        Assert.Null(slots.Renewal());
        var request = slots.NextRequest()!;
        slots.OnLease(Lease(4, request.CorrelationId));
        Assert.Equal([4L], slots.Renewal()!.Leases.Select(l => l.Value));
    }
}
