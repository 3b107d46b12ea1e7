using System.Collections.Immutable;
using System.Diagnostics;
using Akka.Actor;
using RobustCrop.Cluster.Protocol;
using RobustCrop.Worker.Cluster;
using static RobustCrop.Cluster.Protocol.WorkProtocol;

namespace RobustCrop.Coordinator.Cluster.Bench;

/// <summary>
/// A worker that speaks the real <see cref="WorkProtocol"/> to the real job singleton through the real worker's state
/// machine (<see cref="WorkerSlots"/>: the same requests, releases, resends and acknowledgements), but "runs" a shard by
/// waiting <c>latency</c> on a scheduler timer (never a sleeping thread: 64 of them on 2 cores would measure the thread
/// pool, not the coordinator). One slot, like a worker with one GPU.
/// </summary>
public sealed class SimulatedWorkerActor : ReceiveActor, IWithTimers
{
    private sealed record ResendTick;
    private sealed record RequestAgain;
    private sealed record ShardHeld(LeaseId Lease);

    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(1);

    private readonly IActorRef _coordinator;
    private readonly TimeSpan _latency;
    private readonly BenchRecorder _recorder;
    private readonly WorkerSlots _slots;
    private readonly Dictionary<LeaseId, long> _runningSince = [];
    private long _lastCompletion;
    private bool _finished;

    public SimulatedWorkerActor(WorkerId id, IActorRef coordinator, TimeSpan latency, BenchRecorder recorder)
    {
        _coordinator = coordinator;
        _latency = latency;
        _recorder = recorder;
        _slots = new WorkerSlots(id, 1, "simulated", RetryInterval, TimeProvider.System);

        Receive<JobSpec>(_ =>
        {
            if (_slots.Registered) return; // the answer to a resent registration
            _slots.OnRegistered();
            RequestMore();
        });
        Receive<ShardLease>(OnLease);
        Receive<ShardHeld>(OnShardHeld);
        Receive<CompletionAck>(a => _slots.OnAck(a.Lease));
        Receive<NoWorkYet>(n =>
        {
            if (_slots.OnNoWork(n)) Timers.StartSingleTimer("request-again", new RequestAgain(), n.RetryAfter);
        });
        Receive<LeaseLost>(l => _slots.OnLeaseLost(l.Lease));
        Receive<LeaseRenewed>(_ => { });
        Receive<RequestAgain>(_ => RequestMore());
        Receive<ResendTick>(_ =>
        {
            foreach (var m in _slots.DueResends()) _coordinator.Tell(m);
        });
        Receive<JobFinished>(_ =>
        {
            _finished = true;
            Timers.CancelAll();
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        _coordinator.Tell(_slots.Registration());
        Timers.StartPeriodicTimer("resend", new ResendTick(), RetryInterval / 2);
    }

    private void RequestMore()
    {
        if (_finished || _slots.NextRequest() is not { } request) return;
        Timers.Cancel("request-again");
        _coordinator.Tell(request);
    }

    private void OnLease(ShardLease lease)
    {
        switch (_finished ? LeaseStep.Release : _slots.OnLease(lease))
        {
            case LeaseStep.Ignore: return;
            case LeaseStep.Release:
                _coordinator.Tell(_slots.ReleaseOf(lease.Lease));
                return;
        }
        long now = Stopwatch.GetTimestamp();
        _recorder.Leased(lease.ShardId, lease.Lease, now, _lastCompletion);
        _runningSince[lease.Lease] = now;
        // Zero latency is a told message, not a zero timer: the scheduler would round it up to its tick.
        if (_latency <= TimeSpan.Zero) Self.Tell(new ShardHeld(lease.Lease));
        else Timers.StartSingleTimer(lease.Lease, new ShardHeld(lease.Lease), _latency);
    }

    private void OnShardHeld(ShardHeld held)
    {
        if (!_runningSince.Remove(held.Lease, out long since) || _slots.RunningLease(held.Lease) is not { } lease) return;
        var now = DateTimeOffset.UtcNow;
        var manifest = new ManifestSummary(lease.ShardId, SyntheticJobBackend.ShardSize, 0, 0, 0, ImmutableArray<ModelDevice>.Empty, now - _latency, now);
        if (_slots.OnShardWritten(held.Lease, manifest) is not { } done) return;
        _lastCompletion = Stopwatch.GetTimestamp();
        _recorder.Completed(lease.ShardId, since, _lastCompletion);
        _coordinator.Tell(done);
        RequestMore();
    }
}
