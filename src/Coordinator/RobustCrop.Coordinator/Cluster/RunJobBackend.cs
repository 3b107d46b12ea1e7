using System.Collections.Immutable;
using System.Globalization;
using RobustCrop.Cluster.Protocol;
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
        return new JobPlan(dataset.Name, todo.ToImmutable(), skipped, skippedInputs, shards.Sum(s => dataset.PlannedInputs(s) ?? 0), models.Count);
    }

    public async Task<string?> VerifyAsync(WorkProtocol.ManifestSummary reported, CancellationToken ct)
    {
        var where = $"{store.Describe()} (run {layout.RunId})";
        if (await ShardWriter.TryReadManifestAsync(store, layout, reported.Shard.Value, ct) is not { } manifest)
            return $"shard {reported.Shard} was reported done but its manifest is not in the job's store {where}: this worker writes somewhere else (another mount, machine or --out?)";
        if (manifest.Images != reported.Images || manifest.Errors != reported.Errors || manifest.Files.Count != reported.Files)
            return string.Create(CultureInfo.InvariantCulture,
                $"shard {reported.Shard}: the job's store {where} holds a manifest of {manifest.Images} images, {manifest.Errors} errors, {manifest.Files.Count} files, the worker reported {reported.Images}, {reported.Errors}, {reported.Files}");
        foreach (var f in manifest.Files)
            if (!await store.ExistsAsync(f.Path, ct))
                return $"shard {reported.Shard}: its manifest lists {f.Path}, which is not in the job's store {where}";
        return null;
    }

    public async Task<RunSummary?> CompleteAsync(IReadOnlyDictionary<string, string> devices, CancellationToken ct)
    {
        long accounted = await CheckAccountingAsync(ct);
        // A resumed run whose shards were all done has no worker reports: the images files still name their device.
        var (_, written, _) = await IO.Results.RunRebuilder.ReadFactsAsync(store, layout, ct);
        var summary = await RunAggregator.AggregateAsync(store, layout, dataset.Name,
            models.Select(m => new ModelFacts(m.Id, devices.GetValueOrDefault(m.Id) ?? written.FirstOrDefault(f => f.Model == m.Id)?.Device,
                m.InputSize, m.ResizeSize)).ToList(), ct);
        if (summary.Images + summary.Errors != accounted)
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"refusing to mark run {layout.RunId} complete: its files hold {summary.Images} images + {summary.Errors} errors, its manifests account for {accounted} inputs"));
        await RunAggregator.WriteSummaryAsync(store, layout, summary, ct);
        await store.WriteAsync(layout.Success, _ => Task.CompletedTask, ct);
        return summary;
    }

    /// <summary>
    /// Success is earned: every planned shard has a manifest in the job's store, and each shard of known size (a whole tar
    /// included, whose samples planning counted) accounts for every one of its inputs (images + errors = inputs);
    /// otherwise the run is not marked complete.
    /// </summary>
    private async Task<long> CheckAccountingAsync(CancellationToken ct)
    {
        long accounted = 0;
        foreach (var shard in shards)
        {
            var manifest = await ShardWriter.TryReadManifestAsync(store, layout, shard.Id.Value, ct)
                ?? throw new InvalidOperationException($"refusing to mark run {layout.RunId} complete: shard {shard.Id} has no manifest in {store.Describe()}");
            long inputs = manifest.Images + manifest.Errors;
            // A whole tar's planned inputs are the samples planning counted (or its img2dataset sidecar gave).
            if (dataset.PlannedInputs(shard) is long planned && inputs != planned)
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                    $"refusing to mark run {layout.RunId} complete: shard {shard.Id} planned {planned} inputs, its manifest accounts for {inputs} ({manifest.Images} images + {manifest.Errors} errors)"));
            accounted += inputs;
        }
        return accounted;
    }
}
