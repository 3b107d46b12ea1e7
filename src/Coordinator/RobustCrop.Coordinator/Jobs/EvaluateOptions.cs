using RobustCrop.Cluster.Protocol;
using RobustCrop.Cluster.Hosting;
using RobustCrop.Core.Rics;
using RobustCrop.IO.Results;

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
    /// <summary>Also run RICS on every frame of W_k (fooled_window for RICS); N1 only by default.</summary>
    public bool RicsWindowFrames { get; init; }

    /// <summary>Connection string of an az:// <see cref="Out"/>; null reads AZURE_STORAGE_CONNECTION_STRING. Never printed.</summary>
    public string? ConnectionString { get; init; }

    /// <summary>Retry settings of an az:// store (null: the defaults).</summary>
    public IO.Storage.AzureBlobStoreOptions? StorageOptions { get; init; }

    // A record prints its members; the connection string must never appear in a log or an exception message.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append($"Data = {Data}, Out = {Out}, RunId = {RunId}, ZooPath = {ZooPath}, Device = {Device}");
        return true;
    }

    /// <summary>What every worker needs to run any shard of this job.</summary>
    /// <remarks>Paths become absolute: a worker process may start in another directory.</remarks>
    public JobSpec ToJobSpec() => new(RunId, string.Join(',', Data.Split(',').Select(Full)), Full(Out), Full(ZooPath), [.. ModelIds ?? []], Tau, WindowK, KeepEmbeddings, Batch,
        [.. RicsWindows], [.. RicsScores.Select(Core.Rics.RicsScores.Name)], RicsCyclic, RicsSeed, RicsWindowFrames);

    private static string Full(string path) => path.Contains("://", StringComparison.Ordinal) || path.Length == 0 ? path : Path.GetFullPath(path);
}
