using System.Collections.Immutable;
using RobustCrop.Core.Data;
using RobustCrop.Core.Models;
using RobustCrop.Core.Results;
using RobustCrop.IO.Data;
using RobustCrop.IO.Results;
using RobustCrop.IO.Storage;
using RobustCrop.Worker.Sinks;

namespace RobustCrop.Coordinator.Cluster;

/// <summary>
/// The real job: the shard plan of the dataset (the same plan for the same input, shard size and limit), minus shards
/// already done; at the end the summary from the images files, then _SUCCESS.
/// </summary>
public sealed class RunJobBackend(IImageDataset dataset, IReadOnlyList<DatasetShard> shards, IReadOnlyList<ModelManifest> models,
    IResultStore store, RunLayout layout) : IJobBackend
{
    public async Task<JobPlan> PlanAsync(CancellationToken ct)
    {
        var todo = ImmutableArray.CreateBuilder<DatasetShard>();
        int skipped = 0;
        long skippedInputs = 0;
        foreach (var shard in shards)
        {
            if (await ShardWriter.TryReadManifestAsync(store, layout, shard.Id.Value, ct) is { } done)
            {
                skipped++;
                skippedInputs += done.Images + done.Errors;
            }
            else todo.Add(shard);
        }
        return new JobPlan(dataset.Name, todo.ToImmutable(), skipped, skippedInputs, shards.Sum(s => s.Count < 0 ? 0 : s.Count), models.Count);
    }

    public async Task<RunSummary?> CompleteAsync(IReadOnlyDictionary<string, string> devices, CancellationToken ct)
    {
        // A resumed run whose shards were all done has no worker reports: the images files still name their device.
        var (_, written, _) = await IO.Results.RunRebuilder.ReadFactsAsync(store, layout, ct);
        var summary = await RunAggregator.AggregateAsync(store, layout, dataset.Name,
            models.Select(m => new ModelFacts(m.Id, devices.GetValueOrDefault(m.Id) ?? written.FirstOrDefault(f => f.Model == m.Id)?.Device,
                m.InputSize, m.ResizeSize)).ToList(), ct);
        await RunAggregator.WriteSummaryAsync(store, layout, summary, ct);
        await store.WriteAsync(layout.Success, _ => Task.CompletedTask, ct);
        return summary;
    }
}
