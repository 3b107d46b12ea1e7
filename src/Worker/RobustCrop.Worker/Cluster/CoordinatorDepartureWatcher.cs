using Akka.Actor;
using Akka.Cluster;
using RobustCrop.Cluster.Protocol;

namespace RobustCrop.Worker.Cluster;

/// <summary>
/// Tells a worker process that the coordinator left the cluster on purpose (it exits only when its job is over), so a
/// worker that missed JobFinished — it was still registering when the job ended — exits cleanly instead of rejoining a
/// cluster that no longer exists. A coordinator that crashed is downed, not exited, and workers wait for its restart.
/// </summary>
public sealed class CoordinatorDepartureWatcher : ReceiveActor
{
    public CoordinatorDepartureWatcher(Action onDeparted)
    {
        var cluster = Akka.Cluster.Cluster.Get(Context.System);
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
            typeof(ClusterEvent.MemberExited), typeof(ClusterEvent.MemberRemoved));
    }

    public static Props Props(Action onDeparted) => Akka.Actor.Props.Create(() => new CoordinatorDepartureWatcher(onDeparted));
}
