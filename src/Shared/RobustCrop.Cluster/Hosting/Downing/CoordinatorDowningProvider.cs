using Akka.Actor;
using Akka.Cluster;

namespace RobustCrop.Cluster.Hosting.Downing;

/// <summary>
/// Akka's downing provider slot (<c>akka.cluster.downing-provider-class</c>), filled with
/// <see cref="CoordinatorDowningActor"/>; its stable-after is <c>robustcrop.downing.stable-after</c>.
/// </summary>
public sealed class CoordinatorDowningProvider : IDowningProvider
{
    public const string StableAfterPath = "robustcrop.downing.stable-after";

    private readonly ActorSystem _system;

    public CoordinatorDowningProvider(ActorSystem system) => _system = system;

    // The constructor Akka.Cluster 1.5 looks for first.
    public CoordinatorDowningProvider(ActorSystem system, Akka.Cluster.Cluster cluster) : this(system) => _ = cluster;

    // The margin delays a singleton's hand-over after its node was downed; the job singleton lives on the coordinator,
    // which this provider never downs, so there is nothing to wait for.
    public TimeSpan DownRemovalMargin => TimeSpan.Zero;

    public Props DowningActorProps
    {
        get
        {
            var stableAfter = _system.Settings.Config.GetTimeSpan(StableAfterPath, TimeSpan.FromSeconds(5), allowInfinite: false);
            return Props.Create(() => new CoordinatorDowningActor(stableAfter, TimeProvider.System));
        }
    }
}
