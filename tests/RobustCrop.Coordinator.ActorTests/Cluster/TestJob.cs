using RobustCrop.Cluster.Hosting;
using RobustCrop.Cluster.Protocol;
using RobustCrop.Core.Rics;
using RobustCrop.Core.Settings;

namespace RobustCrop.Coordinator.ActorTests.Cluster;

/// <summary>The job and the one loopback node the actor tests run it on.</summary>
internal static class TestJob
{
    /// <summary>A synthetic job: its backend decides the shards, so the settings only need a run id.</summary>
    public static JobSpec Spec(string runId) => new(new RunSettings(new RunId(runId))
        { Data = "synthetic", Tau = 0, WindowK = 0, Batch = 1, Rics = RicsSelection.None with { Seed = 0 } });

    /// <summary>A node on an ephemeral loopback port that joins itself, logging warnings and above.</summary>
    public static ClusterNodeSettings Node(params string[] roles) => new("127.0.0.1", 0, null, [.. roles], [], "WARNING");
}
