using System.Globalization;
using RobustCrop.Coordinator.Console;
using RobustCrop.Core.Data;
using RobustCrop.IO.Data;
using RobustCrop.Core.Models;
using RobustCrop.IO.Models;
using RobustCrop.Core.Results;
using RobustCrop.IO.Results;
using RobustCrop.Core.Rics;
using RobustCrop.IO.Storage;
using RobustCrop.Worker.Inference;
using RobustCrop.Worker.Pipeline;
using RobustCrop.Worker.Sinks;
using RobustCrop.Coordinator.Jobs;

namespace RobustCrop.Cli.Commands;

public sealed class PredictCommand : ICommand
{
    public string Name => "predict";
    public string Summary => "classify a dataset, with --robust: RICS robust inference (one row per input)";
    public string Usage => """
        robustcrop predict --data PATHS [options]
          --model ID          model from the zoo (default: the zoo's first)
          --robust            classify the crop RICS selects instead of the centre crop
          --window N          RICS window n, odd (default 9)
          --score S           hash (provable bound) | dog (default hash)
          --cyclic            cyclic RICS instead: classify the canonical roll of the centre crop
          --zoo FILE          zoo file (default: the shipped zoo)
          --out URI           output location (default ./out; or az://container/prefix): <run-id>/predictions/part-NNNNN.parquet and errors/
          --connection-string CS  storage connection string for az:// (default: $AZURE_STORAGE_CONNECTION_STRING)
          --run-id ID         run id (default: a new one)
          --limit N           at most N inputs (0 = all)
          --device DEV        cpu | cuda | cuda:N (default cpu)
          --threads N, --batch N, --shard-size N, --rics-seed N
        """;

    public async Task<int> RunAsync(CommandLine a, CancellationToken ct)
    {
        string data = a.String("data") ?? ShippedFiles.DefaultData;
        string? modelId = a.String("model");
        string zooPath = a.String("zoo") ?? ShippedFiles.DefaultZoo;
        bool robust = a.Flag("robust"), cyclic = a.Flag("cyclic");
        int window = a.Int("window", 9, min: 1, max: 255);
        if (window % 2 == 0) throw new UsageException($"--window must be odd; got {window}");
        var score = RicsScores.Parse(a.String("score", "hash"));
        string outDir = a.String("out", "out");
        string runId = a.String("run-id") ?? "predict-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        int limit = a.Int("limit", 0, min: 0);
        string device = a.String("device", "cpu");
        int threads = a.Int("threads", Environment.ProcessorCount, min: 1, max: 1024);
        int batch = a.Int("batch", 32, min: 1, max: 4096);
        int shardSize = a.Int("shard-size", 1024, min: 1, max: 1_000_000);
        string? seed = a.String("rics-seed");
        string? connectionString = a.String("connection-string");
        a.ThrowOnUnused();
        if (robust && cyclic) throw new UsageException("choose --robust (realistic RICS) or --cyclic (cyclic RICS), not both");
        if (!RunLayout.IsValidId(runId)) throw new UsageException($"--run-id '{runId}' may hold only letters, digits, '-', '_' and '.'");

        var zoo = ZooFile.Load(zooPath, ShippedFiles.BuiltinModelsDir);
        var manifest = modelId is null ? zoo[0] : zoo.FirstOrDefault(m => m.Id == modelId) ?? throw new ZooException($"model '{modelId}' is not in the zoo {zooPath}");
        var mode = new PredictionMode(robust ? PredictionModeKind.Rics : cyclic ? PredictionModeKind.RicsCyclic : PredictionModeKind.Standard, window, score);
        var settings = new EvaluationSettings(runId, MaxBatch: batch);
        if (seed is not null)
            settings = settings with { RicsSeed = ulong.TryParse(seed, NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : throw new UsageException($"--rics-seed needs a whole number; got '{seed}'") };
        var dataset = DatasetFactory.Open(data);
        var shards = ShardLimit.Apply(dataset.PlanShards(shardSize), limit);
        var store = await StoreFactory.OpenAsync(outDir, connectionString, ct);
        var layout = new RunLayout(runId);
        using var model = ModelLoader.Load(manifest, DeviceSpec.Parse(device), threads);
        var progress = RunProgress.ForStandardError();
        if (model.Inference is OnnxSession { FallbackReason: { } why }) progress.Note(why);
        progress.Start(dataset.Name, shards.Sum(x => x.Count < 0 ? 0 : x.Count), 1);
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
        System.Console.WriteLine($"{rows} predictions, {errors} errors with {model.Id} ({mode.Name}) -> {outDir.TrimEnd('/')}/{runId}/predictions");
        if (labelled > 0) System.Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"accuracy {100.0 * correct / labelled:F1}% on {labelled} labelled inputs"));
        System.Console.WriteLine($"guarantee: {mode.Guarantee}");
        return 0;
    }
}
