using System.CommandLine;
using RobustCrop.Cli.Options;
using RobustCrop.Coordinator.Console;
using RobustCrop.Core.Results;
using RobustCrop.IO.Results;
using RobustCrop.IO.Storage;

namespace RobustCrop.Cli.Commands;

/// <summary><c>aggregate</c>: rebuilds summary.json / summary.parquet of a run from its files alone, or builds the zoo
/// table (one row per model × dataset) across runs.</summary>
public sealed class AggregateCommand : Command
{
    public AggregateCommand(CliConsole io) : base("aggregate", "rebuild a run's summary from its files, or a zoo table across runs")
    {
        var run = CliOptions.String("--run",
            "a run: <out>/<run-id> (a folder) or az://container/[prefix/]<run-id>; rewrites its summary.json and summary.parquet from the images, rics and errors files",
            helpName: "URI");
        var runs = CliOptions.String("--runs",
            "comma-separated runs: prints the zoo table, one row per model × dataset (a later run replaces an earlier one for the same model and dataset)",
            helpName: "URIS");
        var output = CliOptions.String("--out", "with --runs: also write the table as .parquet or .csv", helpName: "FILE");
        var connectionString = CliOptions.String("--connection-string", "storage connection string for az:// (default: $AZURE_STORAGE_CONNECTION_STRING)", helpName: "CS");
        var allowPartial = CliOptions.Flag("--allow-partial",
            "accept unfinished runs: print what their finished shards hold (never written as the run's summary; in a zoo table a partial run never replaces a finished one)");
        var gallery = CliOptions.String("--gallery",
            "with --run: keep this Parquet of embeddings as the run's nn_changed_1px gallery (replacing the one it had) and summarise with it",
            helpName: "FILE");
        foreach (var o in new Option[] { run, runs, output, connectionString, allowPartial, gallery }) Add(o);
        Validators.Add(r =>
        {
            bool one = r.Given(run), many = r.Given(runs);
            if (one == many) r.AddError("give either --run URI or --runs URI,URI,...");
            else if (one && r.Given(output)) r.AddError("--out is for the zoo table of --runs; --run rewrites the run's own summary");
            else if (many && r.Given(gallery)) r.AddError("--gallery is kept with one run: give it with --run");
            else if (r.TryGet(output, out string? o) && o is not null && Path.GetExtension(o).ToLowerInvariant() is not (".parquet" or ".csv"))
                r.AddError($"--out '{o}': the zoo table is written as .parquet or .csv");
            else if (many && r.TryGet(runs, out string? list) && Split(list).Length == 0) r.AddError("--runs needs at least one run URI");
        });

        SetAction(async (p, ct) =>
        {
            string? cs = p.GetValue(connectionString);
            bool partial = p.GetValue(allowPartial);
            if (p.GetValue(run) is { } one)
            {
                var (summary, _, state) = await RebuildAsync(one, cs, write: true, partial, ct, p.GetValue(gallery));
                if (!state.Finished) io.Err.WriteLine($"note: {one}: {state.Progress}; summary.json not written");
                SummaryTable.Print(io.Ansi, summary, one);
                return 0;
            }
            var finished = new List<RunSummary>();
            var unfinished = new List<RunSummary>();
            foreach (var uri in Split(p.GetValue(runs)))
            {
                var (summary, _, state) = await RebuildAsync(uri, cs, write: false, partial, ct);
                if (state.Finished) finished.Add(summary);
                else
                {
                    io.Err.WriteLine($"note: {uri}: {state.Progress}");
                    unfinished.Add(summary);
                }
            }
            // A later run replaces an earlier one for the same model × dataset; partial runs go first, so a finished run
            // always wins over an unfinished one.
            var rows = ZooTable.Build(unfinished.Concat(finished), note => io.Err.WriteLine($"note: {note}"));
            io.Out.Write(ZooTable.Format(rows));
            if (p.GetValue(output) is { } file)
            {
                await ZooTable.WriteAsync(file, rows, ct);
                io.Out.WriteLine($"{rows.Count} rows -> {file}");
            }
            return 0;
        });
    }

    private static string[] Split(string? list) => (list ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Aggregates one run (opening its store, probing az:// first) and, with <paramref name="write"/>, rewrites its
    /// summary files. Only shards with a manifest count; an unfinished run is refused unless <paramref name="allowPartial"/>,
    /// and its partial summary is never written where a finished one belongs.</summary>
    /// <exception cref="RunUnfinishedException">The run is unfinished and <paramref name="allowPartial"/> is false.</exception>
    /// <param name="gallery">A local gallery file to keep with the run before aggregating (see <see cref="GalleryFile"/>).</param>
    public static async Task<(RunSummary Summary, RunLayout Layout, RunState State)> RebuildAsync(string runUri, string? connectionString, bool write,
        bool allowPartial, CancellationToken ct, string? gallery = null)
    {
        var (storeUri, runId) = StoreFactory.SplitRun(runUri);
        if (!RunLayout.IsValidId(runId))
            throw new UsageException($"'{runUri}' does not end in a run id (letters, digits, '-', '_' and '.')");
        // A local run is only read here (and its summary rewritten): no probe, which would create a mistyped folder.
        var store = StoreFactory.IsAzure(storeUri) ? await StoreFactory.OpenAsync(storeUri, connectionString, ct) : StoreFactory.Open(storeUri, connectionString);
        var layout = new RunLayout(runId);
        var state = await RunStateIo.ReadAsync(store, layout, ct);
        // Nothing of the run at all is "no run" (RunRebuilder says so), not an unfinished one.
        if (!state.Finished && state.Plan is null && state.Done.IsEmpty) _ = await RunRebuilder.AggregateAsync(store, layout, state, ct);
        if (!state.Finished && !allowPartial)
            throw new RunUnfinishedException($"{runUri}: {state.Progress} (aggregate --allow-partial shows what is done)");
        // Read and checked before anything of the run is replaced.
        if (gallery is not null) await NearestNeighbourPass.StoreGalleryAsync(store, layout, gallery, ct);
        var summary = await RunRebuilder.AggregateAsync(store, layout, state, ct);
        if (write && state.Finished) await RunAggregator.WriteSummaryAsync(store, layout, summary, ct);
        return (summary, layout, state);
    }
}
