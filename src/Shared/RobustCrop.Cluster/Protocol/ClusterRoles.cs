using RobustCrop.Cluster.Hosting;

namespace RobustCrop.Cluster.Protocol;

public static class ClusterRoles
{
    public const string Coordinator = "coordinator";
    public const string Worker = "worker";

    /// <summary>Name of the job singleton (and of its proxy) on every node.</summary>
    public const string JobSingleton = "job";
}
