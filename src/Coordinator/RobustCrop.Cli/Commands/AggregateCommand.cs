using RobustCrop.Coordinator.Console;
using RobustCrop.Coordinator.Jobs;
using RobustCrop.IO.Results;
using RobustCrop.Core.Results;
using RobustCrop.Worker.Sinks;
using RobustCrop.IO.Storage;

namespace RobustCrop.Cli.Commands;

/// <summary><c>aggregate</c>: rebuilds summary.json / summary.parquet of a run from its files alone, or builds the zoo
/// table (one row per model × dataset) across runs.</summary>
public sealed class AggregateCommand : ICommand
{
    public string Name => "aggregate";
    public string Summary => "rebuild a run's summary from its files, or a zoo table across runs";
    public string Usage => """
        robustcrop aggregate --run URI | --runs URI,URI,... [options]
          --run URI           a run: <out>/<run-id> (a folder) or az://container/[prefix/]<run-id>; rewrites its
                              summary.json and summary.parquet from the images, rics and errors files
          --runs URIS         comma-separated runs: prints the zoo table, one row per model × dataset
                              (a later run replaces an earlier one for the same model and dataset)
          --out FILE          with --runs: also write the table as .parquet or .csv
          --connection-string CS  storage connection string for az:// (default: $AZURE_STORAGE_CONNECTION_STRING)
        """;

    public async Task<int> RunAsync(CommandLine a, CancellationToken ct)
    {
        string? run = a.String("run");
        string? runs = a.String("runs");
        string? @out = a.String("out");
        string? connectionString = a.String("connection-string");
        a.ThrowOnUnused();
        if ((run is null) == (runs is null)) throw new UsageException("give either --run URI or --runs URI,URI,...");
        if (run is not null && @out is not null) throw new UsageException("--out is for the zoo table of --runs; --run rewrites the run's own summary");
        if (@out is not null && Path.GetExtension(@out).ToLowerInvariant() is not (".parquet" or ".csv"))
            throw new UsageException($"--out '{@out}': the zoo table is written as .parquet or .csv");

        if (run is not null)
        {
            var (summary, _) = await RebuildAsync(run, connectionString, write: true, ct);
            SummaryTable.Print(summary, run);
            return 0;
        }

        var uris = runs!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (uris.Length == 0) throw new UsageException("--runs needs at least one run URI");
        var summaries = new List<RunSummary>();
        foreach (var uri in uris)
            summaries.Add((await RebuildAsync(uri, connectionString, write: false, ct)).Summary);
        var rows = ZooTable.Build(summaries, note => System.Console.Error.WriteLine($"note: {note}"));
        System.Console.Write(ZooTable.Format(rows));
        if (@out is not null)
        {
            await ZooTable.WriteAsync(@out, rows, ct);
            System.Console.WriteLine($"{rows.Count} rows -> {@out}");
        }
        return 0;
    }

    /// <summary>Aggregates one run (opening its store, probing az:// first) and, with <paramref name="write"/>, rewrites its summary files.</summary>
    public static async Task<(RunSummary Summary, RunLayout Layout)> RebuildAsync(string runUri, string? connectionString, bool write, CancellationToken ct)
    {
        var (storeUri, runId) = StoreFactory.SplitRun(runUri);
        if (!RunLayout.IsValidId(runId))
            throw new UsageException($"'{runUri}' does not end in a run id (letters, digits, '-', '_' and '.')");
        var store = await StoreFactory.OpenAsync(storeUri, connectionString, ct);
        var layout = new RunLayout(runId);
        var summary = await RunRebuilder.AggregateAsync(store, layout, ct);
        if (write) await RunAggregator.WriteSummaryAsync(store, layout, summary, ct);
        return (summary, layout);
    }
}
