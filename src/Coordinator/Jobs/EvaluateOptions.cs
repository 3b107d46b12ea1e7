using RobustCrop.Cluster;
using RobustCrop.Shared.Rics;

namespace RobustCrop.Coordinator.Jobs;

/// <summary>Typed settings of an evaluate run (bound from the command line).</summary>
public sealed record EvaluateOptions(
    string Data,
    string Out,
    string RunId,
    string ZooPath,
    IReadOnlyList<string>? ModelIds,
    string Device,
    int Limit,
    int ShardSize,
    double Tau,
    int WindowK,
    bool KeepEmbeddings,
    int Threads,
    int Batch,
    IReadOnlyList<int> RicsWindows,
    IReadOnlyList<RicsScore> RicsScores,
    bool RicsCyclic,
    ulong RicsSeed)
{
    /// <summary>What every worker needs to run any shard of this job.</summary>
    /// <remarks>Paths become absolute: a worker process may start in another directory.</remarks>
    public JobSpec ToJobSpec() => new(RunId, string.Join(',', Data.Split(',').Select(Full)), Full(Out), Full(ZooPath), [.. ModelIds ?? []], Tau, WindowK, KeepEmbeddings, Batch,
        [.. RicsWindows], [.. RicsScores.Select(Shared.Rics.RicsScores.Name)], RicsCyclic, RicsSeed);

    private static string Full(string path) => path.Contains("://", StringComparison.Ordinal) || path.Length == 0 ? path : Path.GetFullPath(path);
}
