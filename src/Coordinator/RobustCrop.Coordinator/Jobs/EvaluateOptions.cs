using RobustCrop.Core.Settings;

namespace RobustCrop.Coordinator.Jobs;

/// <summary>
/// An evaluate run as the command line binds it: the run itself (<see cref="Run"/>, what every worker receives) and
/// what only this process uses — the device and threads of its local workers and the storage credentials.
/// </summary>
public sealed record EvaluateOptions(RunSettings Run, string Device, int Threads)
{
    /// <summary>Connection string of an az:// <see cref="RunSettings.Out"/>; null reads AZURE_STORAGE_CONNECTION_STRING. Never printed.</summary>
    public string? ConnectionString { get; init; }

    /// <summary>Threads decoding inputs ahead of inference in each local worker.</summary>
    public int DecodeThreads { get; init; } = Worker.Pipeline.PipelineOptions.DefaultDecodeThreads;

    /// <summary>A local Parquet gallery for nn_changed_1px (<c>--gallery</c>), kept with the run; null: the run's own base embeddings.</summary>
    public string? Gallery { get; init; }

    /// <summary>Retry settings of an az:// store (null: the defaults).</summary>
    public IO.Storage.AzureBlobStoreOptions? StorageOptions { get; init; }

    // A record prints its members; the connection string must never appear in a log or an exception message.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append($"Run = {Run.RunId}, Data = {Run.Data}, Out = {Run.Out}, ZooPath = {Run.ZooPath}, Device = {Device}, Threads = {Threads}, DecodeThreads = {DecodeThreads}");
        return true;
    }

    /// <summary>The run as sent to workers: paths become absolute, since a worker process may start in another directory.</summary>
    public RunSettings ForWorkers() => Run with
    {
        Data = AbsoluteData(Run.Data),
        Out = Full(Run.Out),
        ZooPath = Full(Run.ZooPath),
    };

    /// <summary>A <c>--data</c> list with its local paths made absolute.</summary>
    internal static string AbsoluteData(string data) => string.Join(',', data.Split(',').Select(Full));

    private static string Full(string path) => path.Contains("://", StringComparison.Ordinal) || path.Length == 0 ? path : Path.GetFullPath(path);
}
