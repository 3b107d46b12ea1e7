using System.Globalization;
using RobustCrop.Cluster.Protocol;
using RobustCrop.Core.Data;
using RobustCrop.Core.Models;
using RobustCrop.Core.Results;
using RobustCrop.IO.Data;
using RobustCrop.IO.Results;
using RobustCrop.IO.Storage;

namespace RobustCrop.Coordinator.Cluster;

/// <summary>
/// The real job: the shard plan of the dataset (the same plan for the same input, shard size and limit), minus shards
/// already done; at the end the summary from the images files, then _SUCCESS.
/// </summary>
public sealed class RunJobBackend(IImageDataset dataset, IReadOnlyList<DatasetShard> shards, IReadOnlyList<ModelManifest> models,
    IResultStore store, RunLayout layout) : IJobBackend
{
    private readonly ShardFiles _files = new(store, layout);

    public async Task<JobPlan> PlanAsync(CancellationToken ct)
    {
        var (todo, done) = await _files.SplitDoneAsync(shards, ct);
        return new JobPlan(dataset.Name, todo, done.Length, done.Sum(m => m.Images + m.Errors), shards.Sum(s => dataset.PlannedInputs(s) ?? 0), models.Count);
    }

    public Task<string?> VerifyAsync(WorkProtocol.ManifestSummary reported, CancellationToken ct)
        => _files.VerifyAsync(reported.Shard, reported.Images, reported.Errors, reported.Files, ct);

    public async Task<RunSummary?> CompleteAsync(IReadOnlyDictionary<string, string> devices, CancellationToken ct)
    {
        long accounted = await _files.AccountForAsync(shards, ct, dataset.PlannedInputs);
        // A resumed run whose shards were all done has no worker reports: the images files still name their device.
        var (_, written, _) = await IO.Results.RunRebuilder.ReadFactsAsync(store, layout, ct);
        var summary = await RunAggregator.AggregateAsync(store, layout, dataset.Name,
            models.Select(m => new ModelFacts(m.Id, devices.GetValueOrDefault(m.Id) ?? written.FirstOrDefault(f => f.Model == m.Id)?.Device,
                m.InputSize, m.ResizeSize)).ToList(), ct);
        if (summary.Images + summary.Errors != accounted)
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"refusing to mark run {layout.RunId} complete: its files hold {summary.Images} images + {summary.Errors} errors, its manifests account for {accounted} inputs"));
        await RunAggregator.WriteSummaryAsync(store, layout, summary, ct);
        await _files.MarkSuccessAsync(ct);
        return summary;
    }
}
