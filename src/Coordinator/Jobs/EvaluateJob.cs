using RobustCrop.Coordinator.Console;
using RobustCrop.Shared.Data;
using RobustCrop.Shared.Models;
using RobustCrop.Shared.Results;
using RobustCrop.Worker.Inference;
using RobustCrop.Worker.Pipeline;
using RobustCrop.Worker.Sinks;

namespace RobustCrop.Coordinator.Jobs;

/// <summary>
/// The embedded default: plans shards, runs each through the shard pipeline in this process, writes results under fixed
/// names with the manifest last, skips shards already done (resume), then aggregates the summary from the images files.
/// </summary>
public sealed class EvaluateJob(EvaluateOptions options, RunProgress progress)
{
    public async Task<RunSummary> RunAsync(CancellationToken ct)
    {
        var dataset = DatasetFactory.Open(options.Data);
        // Before any model is loaded: a wrong connection string or unreachable storage fails at start, with one line.
        var store = await StoreFactory.OpenAsync(options.Out, options.ConnectionString, ct, options.StorageOptions);
        var layout = new RunLayout(options.RunId);
        var manifests = SelectModels(ZooFile.Load(options.ZooPath, Program.BuiltinModelsDir));
        var shards = ShardLimit.Apply(dataset.PlanShards(options.ShardSize), options.Limit);
        var device = DeviceSpec.Parse(options.Device);

        var models = new List<EvaluatedModel>();
        try
        {
            foreach (var m in manifests)
            {
                var loaded = ModelLoader.Load(m, device, options.Threads);
                models.Add(loaded);
                if (loaded.Inference is OnnxSession { FallbackReason: { } why }) progress.Note(why);
            }
            var settings = new EvaluationSettings(options.RunId, options.Tau, options.WindowK, options.KeepEmbeddings, options.Batch,
                RicsWindows: options.RicsWindows, RicsScoreKinds: options.RicsScores, RicsCyclic: options.RicsCyclic, RicsSeed: options.RicsSeed);
            var evaluator = new ShardEvaluator(models, settings);
            var writer = new ShardWriter(store, layout, models, $"local:{Environment.MachineName}", settings, dataset.Name);

            progress.Start(dataset.Name, shards.Sum(s => s.Count < 0 ? 0 : s.Count), models.Count);
            int skipped = 0;
            foreach (var shard in shards)
            {
                ct.ThrowIfCancellationRequested();
                if (await ShardWriter.TryReadManifestAsync(store, layout, shard.Id.Value, ct) is { } done)
                {
                    skipped++;
                    progress.ShardSkipped(done.Images + done.Errors);
                    continue;
                }
                var started = DateTimeOffset.UtcNow;
                int before = 0;
                // Inference blocks for seconds at a time: keep it off the caller's thread (and off any actor's mailbox later).
                var result = await Task.Factory.StartNew(
                    () => evaluator.EvaluateAsync(shard, dataset.ReadShard(shard),
                        (images, crops) => { progress.Advance(images - before, crops); before = images; }, ct),
                    ct, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
                progress.ShardDone(result.CropsInferred);
                await writer.WriteAsync(result, $"{dataset.Name}:{shard.Source}[{shard.Start}+{shard.Count}]", started, ct);
            }
            if (skipped > 0) progress.Note($"resumed: {skipped} shard(s) already done were skipped");

            var summary = await RunAggregator.AggregateAsync(store, layout, dataset.Name,
                models.Select(m => new ModelFacts(m.Id, m.Device, m.Manifest.InputSize, m.Manifest.ResizeSize)).ToList(), ct);
            await RunAggregator.WriteSummaryAsync(store, layout, summary, ct);
            await store.WriteAsync(layout.Success, s => Task.CompletedTask, ct);
            progress.Finish();
            return summary;
        }
        finally
        {
            foreach (var m in models) m.Dispose();
        }
    }

    private IReadOnlyList<ModelManifest> SelectModels(IReadOnlyList<ModelManifest> zoo)
    {
        if (options.ModelIds is null) return zoo;
        var missing = options.ModelIds.Where(id => zoo.All(m => m.Id != id)).ToList();
        if (missing.Count > 0)
            throw new ZooException($"model '{missing[0]}' is not in the zoo {options.ZooPath} (it lists: {string.Join(", ", zoo.Select(m => m.Id))})");
        return zoo.Where(m => options.ModelIds.Contains(m.Id)).ToList();
    }
}
