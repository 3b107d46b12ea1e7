using System.CommandLine;
using System.Globalization;
using RobustCrop.Cli.Options;
using RobustCrop.Coordinator.Console;
using RobustCrop.Coordinator.Jobs;
using RobustCrop.Core.Rics;
using RobustCrop.Core.Settings;
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
        var score = CliOptions.OneOf("--score", "RICS score: hash has the provable bound", Defaults.Predict.Score, "S",
            [.. RicsScores.Realistic.Select(RicsScores.Name)]);
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
        var ricsMode = CliOptions.RicsModeOne("--rics-mode",
            "with --robust: how the window's candidates become the answer: select (one crop, 1 forward), soft<k> (about k forwards, classes stay), block<b> (b² forwards, block2: 4; embeddings stay still), rook<b> (b forwards, rook4: 4; stiller than block2), mean-all (n² forwards)",
            Defaults.Evaluate.RicsMode);
        foreach (var o in new Option[] { data, model, robust, window, score, cyclic, zoo, output, connectionString, runId, limit, device, threads, batch, shardSize, seed, ricsMode })
            Add(o);
        Validators.Add(r =>
        {
            if (r.TryGet(robust, out bool rb) && rb && r.TryGet(cyclic, out bool cy) && cy)
                r.AddError("choose --robust (realistic RICS) or --cyclic (cyclic RICS), not both");
            if (r.Given(ricsMode) && r.TryGet(ricsMode, out var m) && !m.IsSelect
                && !(r.TryGet(robust, out bool rr) && rr && (!r.Given(score) || (r.TryGet(score, out string? sc) && string.Equals(sc, "hash", StringComparison.OrdinalIgnoreCase)))))
                r.AddError($"--rics-mode {m.Name} needs --robust with the hash score: it combines candidates of the hash setting's window");
        });
        SetAction(async (p, ct) =>
        {
            var kind = p.GetValue(robust) ? PredictionModeKind.Rics : p.GetValue(cyclic) ? PredictionModeKind.RicsCyclic : PredictionModeKind.Standard;
            var mode = new PredictionMode(kind, p.GetValue(window), RicsScores.Parse(p.GetValue(score)!), p.GetValue(ricsMode));
            string id = p.GetValue(runId) ?? Defaults.Predict.RunIdPrefix + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
            var run = new RunSettings(new RunId(id))
            {
                Data = p.GetValue(data) ?? ShippedFiles.DefaultData, Out = p.GetValue(output)!, ZooPath = p.GetValue(zoo)!, Limit = p.GetValue(limit),
                ShardSize = p.GetValue(shardSize), Batch = p.GetValue(batch),
            };
            run = run with { Rics = run.Rics with { Seed = p.GetValue(seed) } };
            var options = new PredictOptions(run, p.GetValue(model), mode, p.GetValue(device)!, p.GetValue(threads))
            {
                ConnectionString = p.GetValue(connectionString),
            };
            var outcome = await new PredictJob(options, new RunProgress(io.Err, io.ErrIsTerminal)).RunAsync(ct);
            string runDir = $"{run.Out.TrimEnd('/')}/{id}";
            if (io.OutIsTerminal)
                PredictionTable.Print(io.Ansi, $"{outcome.Model} ({mode.Name})", outcome.Shown, outcome.Predictions, runDir);
            else
                PredictionTable.PrintLines(io.Out, outcome.Shown, outcome.Predictions, runDir);
            io.Out.WriteLine(
                $"{outcome.Predictions} predictions, {outcome.Errors} errors with {outcome.Model} ({mode.Name}) -> {runDir}/predictions");
            if (outcome.Accuracy is double accuracy)
                io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"accuracy {100.0 * accuracy:F1}% on {outcome.Labelled} labelled inputs"));
            io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cost: {mode.ForwardsPerFrame():0.#} forwards per frame{(mode.Representation.Kind == RicsModeKind.Soft ? " (on average: the members are drawn by content)" : "")}"));
            io.Out.WriteLine($"guarantee: {mode.Guarantee}");
            return 0;
        });
    }
}
