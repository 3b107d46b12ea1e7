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
    ulong RicsSeed);
