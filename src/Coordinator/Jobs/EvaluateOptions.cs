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
    /// <summary>Connection string of an az:// <see cref="Out"/>; null reads AZURE_STORAGE_CONNECTION_STRING. Never printed.</summary>
    public string? ConnectionString { get; init; }

    /// <summary>Retry settings of an az:// store (null: the defaults).</summary>
    public Worker.Sinks.AzureBlobStoreOptions? StorageOptions { get; init; }

    // A record prints its members; the connection string must never appear in a log or an exception message.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append($"Data = {Data}, Out = {Out}, RunId = {RunId}, ZooPath = {ZooPath}, Device = {Device}");
        return true;
    }
}
