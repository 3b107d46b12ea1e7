using System.Collections.Immutable;
using RobustCrop.Cluster.Hosting;

namespace RobustCrop.Cluster.Protocol;

/// <summary>
/// What a worker needs to evaluate any shard of the run, sent by the coordinator when the worker registers, so a worker
/// is started with nothing but the address to join. Paths (data, zoo, out) must be valid on the worker too: the same
/// machine, or the same mount on every node.
/// </summary>
public sealed record JobSpec(
    string RunId,
    string Data,
    string Out,
    string ZooPath,
    ImmutableArray<string> ModelIds,
    double Tau,
    int WindowK,
    bool KeepEmbeddings,
    int Batch,
    ImmutableArray<int> RicsWindows,
    ImmutableArray<string> RicsScores,
    bool RicsCyclic,
    ulong RicsSeed,
    bool RicsWindowFrames = false) : IClusterMessage;
