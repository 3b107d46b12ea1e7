using System.CommandLine;
using System.Globalization;
using RobustCrop.Cli.Options;
using RobustCrop.Coordinator.Console;
using RobustCrop.Coordinator.Jobs;
using RobustCrop.Core.Data;
using RobustCrop.Core.Models;
using RobustCrop.Core.Results;
using RobustCrop.Core.Rics;
using RobustCrop.Core.Settings;
using RobustCrop.IO.Data;
using RobustCrop.IO.Models;
using RobustCrop.IO.Results;
using RobustCrop.IO.Storage;
using RobustCrop.Worker.Inference;
using RobustCrop.Worker.Pipeline;

namespace RobustCrop.Cli.Commands;

public sealed class PredictCommand : Command
{
    public PredictCommand(CliConsole io) : base("predict", "classify a dataset, with --robust: RICS robust inference (one row per input)")
    {
        var data = CliOptions.String("--data", "inputs, in evaluate's --data syntax (default: the shipped samples)", helpName: "PATHS");
        var model = CliOptions.String("--model", "model from the zoo (default: the zoo's first)", helpName: "ID");
        var robust = CliOptions.Flag("--robust", "classify the crop RICS selects instead of the centre crop");
        var window = CliOptions.OddWindow("--window", "RICS window n, odd", Defaults.Predict.Window);
        var score = CliOptions.OneOf("--score", "RICS score: hash has the provable bound", Defaults.Predict.Score, "S", "hash", "dog");
        var cyclic = CliOptions.Flag("--cyclic", "cyclic RICS instead: classify the canonical roll of the centre crop");
        var zoo = new Option<string>("--zoo") { Description = "zoo file", HelpName = "FILE", DefaultValueFactory = _ => ShippedFiles.DefaultZoo };
        var output = CliOptions.String("--out", "output location (or az://container/prefix): <run-id>/predictions/part-NNNNN.parquet and errors/", Defaults.Out, "URI");
        var connectionString = CliOptions.String("--connection-string", "storage connection string for az:// (default: $AZURE_STORAGE_CONNECTION_STRING)", helpName: "CS");
        var runId = CliOptions.RunId("run id (default: a new one)");
        var limit = CliOptions.Int("--limit", "at most N inputs (0 = all)", Defaults.Evaluate.Limit, 0, int.MaxValue);
        var device = CliOptions.Device();
        var threads = CliOptions.Threads();
        var batch = CliOptions.Batch();
        var shardSize = CliOptions.Int("--shard-size", "inputs per shard", Defaults.Predict.ShardSize, 1, 1_000_000);
        var seed = CliOptions.RicsSeed();
        foreach (var o in new Option[] { data, model, robust, window, score, cyclic, zoo, output, connectionString, runId, limit, device, threads, batch, shardSize, seed })
            Add(o);
        Validators.Add(r =>
        {
            if (r.TryGet(robust, out bool rb) && rb && r.TryGet(cyclic, out bool cy) && cy)
                r.AddError("choose --robust (realistic RICS) or --cyclic (cyclic RICS), not both");
        });
        SetAction((p, ct) => RunAsync(io, new Request(p.GetValue(data) ?? ShippedFiles.DefaultData, p.GetValue(model), p.GetValue(zoo)!, p.GetValue(robust),
            p.GetValue(cyclic), p.GetValue(window), RicsScores.Parse(p.GetValue(score)!), p.GetValue(output)!,
            p.GetValue(runId) ?? Defaults.Predict.RunIdPrefix + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture), p.GetValue(limit),
            p.GetValue(device)!, p.GetValue(threads), p.GetValue(batch), p.GetValue(shardSize), p.GetValue(seed), p.GetValue(connectionString)), ct));
    }

    private sealed record Request(string Data, string? ModelId, string ZooPath, bool Robust, bool Cyclic, int Window, RicsScore Score, string OutDir,
        string RunId, int Limit, string Device, int Threads, int Batch, int ShardSize, ulong Seed, string? ConnectionString);

    private static async Task<int> RunAsync(CliConsole io, Request q, CancellationToken ct)
    {
        var (data, modelId, zooPath, robust, cyclic, window, score, outDir, runId, limit, device, threads, batch, shardSize, seed, connectionString) = q;
        var zoo = ZooFile.Load(zooPath, ShippedFiles.BuiltinModelsDir);
        var manifest = modelId is null ? zoo[0] : zoo.FirstOrDefault(m => m.Id == modelId) ?? throw new ZooException($"model '{modelId}' is not in the zoo {zooPath}");
        var mode = new PredictionMode(robust ? PredictionModeKind.Rics : cyclic ? PredictionModeKind.RicsCyclic : PredictionModeKind.Standard, window, score);
        var settings = new RunSettings(new RunId(runId)) { Data = data, Out = outDir, ZooPath = zooPath, Limit = limit, ShardSize = shardSize, Batch = batch };
        settings = settings with { Rics = settings.Rics with { Seed = seed } };
        var dataset = DatasetFactory.Open(data);
        var shards = ShardLimit.Apply(dataset.PlanShards(shardSize), limit, dataset.PlannedInputs);
        var store = await StoreFactory.OpenAsync(outDir, connectionString, ct);
        var layout = new RunLayout(runId);
        using var model = ModelLoader.Load(manifest, DeviceSpec.Parse(device), threads);
        var progress = new RunProgress(io.Err, io.ErrIsTerminal);
        if (model.Inference is OnnxSession { FallbackReason: { } why }) progress.Note(why);
        progress.Start(dataset.Name, shards.Sum(x => dataset.PlannedInputs(x) ?? 0), 1);
        var predictor = new RobustPredictor(model, settings, mode);
        long rows = 0, errors = 0, labelled = 0, correct = 0;
        foreach (var shard in shards)
        {
            int before = 0;
            var (p, e) = await Task.Factory.StartNew(
                () => predictor.Predict(shard, dataset.ReadShard(shard), n => { progress.Advance(n - before, 0); before = n; }),
                ct, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            var meta = new Dictionary<string, string> { [ResultMetadataKeys.RunId] = runId, [ResultMetadataKeys.Model] = model.Id, ["robustcrop.mode"] = mode.Name };
            await store.WriteAsync(layout.PredictionsPart(shard.Id.Value), st => ResultParquet.WriteRowsAsync(st, p, meta, ct), ct);
            await store.WriteAsync(layout.ErrorsPart(shard.Id.Value), st => ResultParquet.WriteErrorRowsAsync(st, e, meta, ct), ct);
            rows += p.Count;
            errors += e.Count;
            labelled += p.Count(r => r.Correct is not null);
            correct += p.Count(r => r.Correct == true);
        }
        progress.Finish();
        io.Out.WriteLine($"{rows} predictions, {errors} errors with {model.Id} ({mode.Name}) -> {outDir.TrimEnd('/')}/{runId}/predictions");
        if (labelled > 0) io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"accuracy {100.0 * correct / labelled:F1}% on {labelled} labelled inputs"));
        io.Out.WriteLine($"guarantee: {mode.Guarantee}");
        return 0;
    }
}
