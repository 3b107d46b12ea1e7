using System.Collections.Immutable;
using System.Diagnostics;
using Akka.Actor;
using RobustCrop.Cluster.Protocol;
using static RobustCrop.Cluster.Protocol.WorkProtocol;

namespace RobustCrop.Coordinator.Cluster.Bench;

/// <summary>
/// A worker that speaks the real <see cref="WorkProtocol"/> to the real job singleton but "runs" a shard by waiting
/// <c>latency</c> on a scheduler timer (never a sleeping thread: 64 of them on 2 cores would measure the thread pool,
/// not the coordinator). One slot, like a worker with one GPU. Requests and completions are resent until answered, as
/// the real worker does, so the bench exercises the same idempotent paths.
/// </summary>
public sealed class SimulatedWorkerActor : ReceiveActor, IWithTimers
{
    private sealed record Resend;
    private sealed record RequestAgain;
    private sealed record ShardDone(LeaseId Lease);

    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(1);

    private readonly WorkerId _id;
    private readonly IActorRef _coordinator;
    private readonly TimeSpan _latency;
    private readonly BenchRecorder _recorder;
    private readonly Dictionary<LeaseId, (ShardCompleted Message, long SentAt)> _unacked = [];
    private bool _registered;
    private RequestWork? _pending;
    private long _pendingSentAt;
    private ShardLease? _running;
    private long _runningSince;
    private long _lastCompletion;
    private bool _finished;

    public SimulatedWorkerActor(WorkerId id, IActorRef coordinator, TimeSpan latency, BenchRecorder recorder)
    {
        _id = id;
        _coordinator = coordinator;
        _latency = latency;
        _recorder = recorder;

        Receive<JobSpec>(_ =>
        {
            if (_registered) return; // the answer to a resent registration
            _registered = true;
            RequestMore();
        });
        Receive<ShardLease>(OnLease);
        Receive<ShardDone>(OnShardDone);
        Receive<CompletionAck>(a => _unacked.Remove(a.Lease));
        Receive<NoWorkYet>(n =>
        {
            if (_pending?.CorrelationId != n.CorrelationId) return;
            _pending = null;
            Timers.StartSingleTimer("request-again", new RequestAgain(), n.RetryAfter);
        });
        Receive<RequestAgain>(_ => RequestMore());
        Receive<Resend>(_ => OnResend());
        Receive<JobFinished>(_ =>
        {
            _finished = true;
            Timers.CancelAll();
        });
        ReceiveAny(_ => { });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        _coordinator.Tell(new RegisterWorker(_id, 1, "simulated"));
        Timers.StartPeriodicTimer("resend", new Resend(), RetryInterval);
    }

    private void OnResend()
    {
        if (!_registered) _coordinator.Tell(new RegisterWorker(_id, 1, "simulated"));
        // Only what has waited a full interval: resending everything unanswered at each tick would resend the
        // completion just sent, whose ack is still in flight, and show up as a duplicate completion at every tick.
        long now = Stopwatch.GetTimestamp();
        if (_pending is not null && Stopwatch.GetElapsedTime(_pendingSentAt, now) >= RetryInterval)
        {
            _coordinator.Tell(_pending);
            _pendingSentAt = now;
        }
        foreach (var (lease, (message, sentAt)) in _unacked.ToList())
        {
            if (Stopwatch.GetElapsedTime(sentAt, now) < RetryInterval) continue;
            _coordinator.Tell(message);
            _unacked[lease] = (message, now);
        }
    }

    private void RequestMore()
    {
        if (_finished || _running is not null || _pending is not null) return;
        Timers.Cancel("request-again");
        _pending = new RequestWork(_id, 1, Guid.NewGuid());
        _pendingSentAt = Stopwatch.GetTimestamp();
        _coordinator.Tell(_pending);
    }

    private void OnLease(ShardLease lease)
    {
        if (_running?.Lease == lease.Lease || _unacked.ContainsKey(lease.Lease)) return; // an answer to a resent request
        if (_pending?.CorrelationId == lease.CorrelationId) _pending = null;
        if (_running is not null || _finished)
        {
            _coordinator.Tell(new ReleaseLease(_id, lease.Lease));
            return;
        }
        long now = Stopwatch.GetTimestamp();
        _recorder.Leased(lease.ShardId, lease.Lease, now, _lastCompletion);
        _running = lease;
        _runningSince = now;
        // Zero latency is a told message, not a zero timer: the scheduler would round it up to its tick.
        if (_latency <= TimeSpan.Zero) Self.Tell(new ShardDone(lease.Lease));
        else Timers.StartSingleTimer("shard", new ShardDone(lease.Lease), _latency);
    }

    private void OnShardDone(ShardDone d)
    {
        if (_running is not { } lease || lease.Lease != d.Lease) return;
        _running = null;
        var now = DateTimeOffset.UtcNow;
        var done = new ShardCompleted(_id, lease.Lease, new ManifestSummary(lease.ShardId, SyntheticJobBackend.ShardSize, 0, 0, 0,
            ImmutableArray<ModelDevice>.Empty, now - _latency, now));
        _lastCompletion = Stopwatch.GetTimestamp();
        _unacked[lease.Lease] = (done, _lastCompletion);
        _recorder.Completed(lease.ShardId, _runningSince, _lastCompletion);
        _coordinator.Tell(done);
        RequestMore();
    }
}
