using RobustCrop.Coordinator.Console;
using RobustCrop.Core.Data;
using RobustCrop.Core.Models;
using RobustCrop.Core.Results;
using RobustCrop.Core.Settings;
using RobustCrop.IO.Data;
using RobustCrop.IO.Models;
using RobustCrop.IO.Results;
using RobustCrop.IO.Storage;
using RobustCrop.Worker.Inference;
using RobustCrop.Worker.Pipeline;
using RobustCrop.Worker.Sinks;

namespace RobustCrop.Coordinator.Jobs;

/// <summary>A predict run as the command line binds it: the run, the model (null: the zoo's first) and the mode.</summary>
public sealed record PredictOptions(RunSettings Run, string? ModelId, PredictionMode Mode, string Device, int Threads)
{
    /// <summary>How many rows the outcome carries for the command to show (the first inputs in shard order); the rest
    /// are in the run's files.</summary>
    public int ShowRows { get; init; } = 50;

    /// <summary>Connection string of an az:// data or <see cref="RunSettings.Out"/>; null reads AZURE_STORAGE_CONNECTION_STRING. Never printed.</summary>
    public string? ConnectionString { get; init; }

    // A record prints its members; the connection string must never appear in a log or an exception message.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append($"Run = {Run.RunId}, Data = {Run.Data}, Out = {Run.Out}, Model = {ModelId}, Mode = {Mode.Name}, Device = {Device}, Threads = {Threads}");
        return true;
    }
}

/// <summary>What a predict run holds once complete, over all its shards (those a resumed run found done included).</summary>
/// <param name="Labelled">Predictions whose input has a label the model's classes apply to.</param>
/// <param name="SkippedShards">Shards already done by an earlier start of the same run.</param>
/// <param name="Shown">The first <see cref="PredictOptions.ShowRows"/> rows in input order (shard, then the shard's order).</param>
public sealed record PredictOutcome(string Model, PredictionMode Mode, long Predictions, long Errors, long Labelled, long Correct, int SkippedShards,
    IReadOnlyList<PredictionRow> Shown)
{
    /// <summary>Correct / labelled; null without a labelled input.</summary>
    public double? Accuracy => Labelled > 0 ? (double)Correct / Labelled : null;
}

/// <summary>
/// <c>predict</c>: one prediction per input from the crop the mode selects, written shard by shard with a manifest each
/// like evaluate, so a run is resumable (done shards are skipped), verifiable and readable by <c>query</c> (a
/// <c>predictions</c> view); <c>_SUCCESS</c> marks it complete once every planned input is accounted for.
/// </summary>
public sealed class PredictJob(PredictOptions options, RunProgress progress)
{
    public async Task<PredictOutcome> RunAsync(CancellationToken ct)
    {
        var run = options.Run;
        var manifest = ZooSelection.One(ZooFile.Load(run.ZooPath, ShippedFiles.BuiltinModelsDir), options.ModelId, run.ZooPath);
        var dataset = DatasetFactory.Open(run.Data, options.ConnectionString);
        var shards = ShardLimit.Apply(dataset.PlanShards(run.ShardSize), run.Limit, dataset.PlannedInputs);
        var store = await StoreFactory.OpenAsync(run.Out, options.ConnectionString, ct);
        var files = new ShardFiles(store, new RunLayout(run.RunId.Value));
        // The run is what its first start planned: a resume with other data, shards, limit, model or mode would mix rows.
        var plan = RunPlan.Of(run, EvaluateOptions.AbsoluteData(run.Data), dataset.Name, [manifest.Id], shards.Count,
            shards.Any(s => s.Count < 0) ? -1 : shards.Sum(s => s.Count)) with { Rics = options.Mode.PlanText(run.Rics.Seed) };
        try
        {
            await RunStateIo.StoreOrCheckPlanAsync(store, files.Layout, plan, ct);
        }
        catch (RunPlanMismatchException e)
        {
            throw new JobFailedException(e.Message);
        }

        // Said once, when the run is accepted (a refused start keeps its one line): rows without a class are then expected.
        foreach (var line in HeadCoverage.Notes([manifest], DatasetFactory.SourceNames(dataset), "no prediction"))
            progress.Note(line);
        var (todo, done) = await files.SplitDoneAsync(shards, ct);
        var tally = new Tally(options.ShowRows);
        foreach (var m in done) tally.Add(m.Shard, await files.ReadPredictionsAsync(m.Shard, ct), m.Errors);
        if (done.Length > 0)
            progress.Note($"run {run.RunId}: {done.Length} of {shards.Count} shard(s) already done, {todo.Length} to run");
        if (todo.Length > 0)
        {
            using var model = ModelLoader.Load(manifest, DeviceSpec.Parse(options.Device), options.Threads);
            if (model.Inference is OnnxSession { FallbackReason: { } why }) progress.Note(why);
            progress.Start(dataset.Name, shards.Sum(x => dataset.PlannedInputs(x) ?? 0), 1);
            long skippedInputs = done.Sum(m => m.Images + m.Errors);
            if (skippedInputs > 0) progress.ShardSkipped(skippedInputs);
            var runner = ShardRunner.Predict(model, run, options.Mode, files, "local");
            long cropsBefore = 0;
            foreach (var shard in todo)
            {
                // The runner reports the shard's inputs and crops so far; progress counts crops over the run.
                int before = 0;
                var (result, _) = await runner.RunAsync(shard, dataset.ReadShard(shard), ShardFiles.Source(dataset.Name, shard),
                    (n, crops) => { progress.Advance(n - before, cropsBefore + crops); before = n; }, ct);
                cropsBefore += result.CropsInferred;
                tally.Add(shard.Id.Value, result.Predictions[model.Id], result.Errors.Count);
            }
            progress.Finish();
        }
        try
        {
            await files.AccountForAsync(shards, ct, dataset.PlannedInputs);
        }
        catch (InvalidOperationException e)
        {
            throw new JobFailedException(e.Message);
        }
        await files.MarkSuccessAsync(ct);
        return new PredictOutcome(manifest.Id, options.Mode, tally.Rows, tally.Errors, tally.Labelled, tally.Correct, done.Length, tally.Shown());
    }

    private sealed class Tally(int show)
    {
        public long Rows, Errors, Labelled, Correct;

        // The first rows of each shard, so the shown rows are the first inputs whichever shards ran in this start.
        private readonly SortedDictionary<int, PredictionRow[]> _first = [];

        public IReadOnlyList<PredictionRow> Shown() => [.. _first.Values.SelectMany(r => r).Take(show)];

        public void Add(int shard, IReadOnlyList<PredictionRow> rows, long errors)
        {
            _first[shard] = [.. rows.Take(show)];
            Rows += rows.Count;
            Errors += errors;
            Labelled += rows.Count(r => r.Correct is not null);
            Correct += rows.Count(r => r.Correct == true);
        }
    }
}
