using Akka.Actor;
using Akka.Cluster;
using RobustCrop.Cluster.Protocol;

namespace RobustCrop.Worker.Cluster;

/// <summary>
/// Tells a worker process that the coordinator left the cluster on purpose (it exits only when its job is over), so a
/// worker that missed JobFinished — it was still registering when the job ended — exits cleanly instead of rejoining a
/// cluster that no longer exists. A coordinator that crashed is downed, not exited, and workers wait for its restart.
/// </summary>
public sealed class CoordinatorDepartureWatcher : ReceiveActor, IWithTimers
{
    private sealed record StillUnreachable;

    public CoordinatorDepartureWatcher(Action onDeparted, Action? onLost = null)
    {
        var cluster = Akka.Cluster.Cluster.Get(Context.System);
        // A coordinator killed outright (kill -9, a lost machine) is neither exited nor removed from this worker's view
        // once the resolver no longer downs everyone: unreachable for this long, the worker treats its cluster as lost
        // and joins again, so a restarted coordinator finds it.
        Receive<ClusterEvent.UnreachableMember>(e =>
        {
            if (e.Member.HasRole(ClusterRoles.Coordinator) && onLost is not null)
                Timers.StartSingleTimer("lost", new StillUnreachable(), LostAfter);
        });
        Receive<StillUnreachable>(_ =>
        {
            if (cluster.State.Unreachable.Any(m => m.HasRole(ClusterRoles.Coordinator))) onLost?.Invoke();
        });
        Receive<ClusterEvent.MemberExited>(e =>
        {
            if (e.Member.HasRole(ClusterRoles.Coordinator)) onDeparted();
        });
        Receive<ClusterEvent.MemberRemoved>(e =>
        {
            if (e.Member.HasRole(ClusterRoles.Coordinator) && e.PreviousStatus == MemberStatus.Exiting) onDeparted();
        });
        Receive<ClusterEvent.IClusterDomainEvent>(_ => { });
        Receive<ClusterEvent.CurrentClusterState>(_ => { });
        cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.MemberExited), typeof(ClusterEvent.MemberRemoved), typeof(ClusterEvent.UnreachableMember));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static readonly TimeSpan LostAfter = TimeSpan.FromSeconds(10);

    public static Props Props(Action onDeparted, Action? onLost = null) => Akka.Actor.Props.Create(() => new CoordinatorDepartureWatcher(onDeparted, onLost));
}
