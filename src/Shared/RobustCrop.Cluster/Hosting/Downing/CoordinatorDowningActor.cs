using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using RobustCrop.Cluster.Protocol;

namespace RobustCrop.Cluster.Hosting.Downing;

/// <summary>
/// The downing actor of every node (a child of the cluster daemon): on the coordinator it turns reachability events
/// into <see cref="UnreachableDowning"/> calls and its decisions into <c>Cluster.Down</c>; on a worker it does
/// nothing (a worker never downs anyone: one that loses its coordinator leaves and joins again).
/// </summary>
public sealed class CoordinatorDowningActor : ReceiveActor, IWithTimers
{
    private sealed record Tick;

    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly UnreachableDowning _downing;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public CoordinatorDowningActor(TimeSpan stableAfter, TimeProvider clock)
    {
        _downing = new UnreachableDowning(stableAfter, clock);
        Receive<ClusterEvent.UnreachableMember>(u => _downing.BecameUnreachable(u.Member.Address.ToString()));
        Receive<ClusterEvent.ReachableMember>(r => _downing.BecameReachable(r.Member.Address.ToString()));
        Receive<ClusterEvent.MemberRemoved>(m => _downing.Removed(m.Member.Address.ToString()));
        Receive<ClusterEvent.CurrentClusterState>(s =>
        {
            foreach (var m in s.Unreachable) _downing.BecameUnreachable(m.Address.ToString());
        });
        Receive<Tick>(_ =>
        {
            foreach (var member in _downing.Due())
            {
                _log.Info("downing {0}: unreachable for {1} s", member, _downing.StableAfter.TotalSeconds);
                _cluster.Down(Address.Parse(member));
            }
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        if (!_cluster.SelfRoles.Contains(ClusterRoles.Coordinator))
        {
            // A worker: nothing to decide.
            Become(() => ReceiveAny(_ => { }));
            return;
        }
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot,
            typeof(ClusterEvent.IReachabilityEvent), typeof(ClusterEvent.MemberRemoved));
        var tick = TimeSpan.FromMilliseconds(Math.Clamp(_downing.StableAfter.TotalMilliseconds / 4, 100, 1000));
        Timers.StartPeriodicTimer("tick", new Tick(), tick);
    }

    protected override void PostStop() => _cluster.Unsubscribe(Self);
}
