using RobustCrop.Core.Data;
using RobustCrop.Core.Models;
using RobustCrop.Core.Settings;
using RobustCrop.IO.Data;
using RobustCrop.IO.Models;
using RobustCrop.Worker.Inference;
using RobustCrop.Worker.Pipeline;

namespace RobustCrop.Coordinator.Jobs;

/// <summary>A <c>fit-head</c> run: the embedding model, the labelled reference set and the head file to write.</summary>
/// <param name="Limit">At most this many reference images (0: all).</param>
/// <param name="ShardSize">Inputs read per shard of the reference set.</param>
public sealed record FitHeadOptions(string ModelId, string Data, string Output, string ZooPath, int Limit, string Device, int Threads, int ShardSize);

/// <summary>The fitted head as written: images it was fitted on, classes, and the inputs left out.</summary>
public sealed record FitHeadOutcome(string Model, int Images, int Classes, int Unusable, int Unlabelled, string Output);

/// <summary>
/// <c>fit-head</c>: a prototype head (class means of the model's normalised base-crop embeddings) fitted on a labelled
/// reference set and saved with its provenance, for a zoo entry's <c>head:</c>.
/// </summary>
public sealed class FitHeadJob(FitHeadOptions options)
{
    public FitHeadOutcome Run(CancellationToken ct)
    {
        var (modelId, data, output, zooPath, limit, device, threads, shardSize) = options;
        var manifest = ZooSelection.One(ZooFile.Load(zooPath, ShippedFiles.BuiltinModelsDir), modelId, zooPath);
        if (manifest.Output != OutputKind.Embedding) throw new ZooException($"model '{modelId}' outputs logits; heads apply to embedding models");
        var dataset = DatasetFactory.Open(data);
        var shards = ShardLimit.Apply(dataset.PlanShards(shardSize), limit, dataset.PlannedInputs);

        // Fit on the bare embedding: any head already configured for the model is ignored.
        using var model = ModelLoader.Load(manifest with { HeadPath = null }, DeviceSpec.Parse(device), threads);
        var fitter = new PrototypeHeadFitter(model.Interpreter.VectorDimension);
        int errors = 0, unlabelled = 0;
        var embedder = new BaseCropEmbedder(model, new RunSettings(new RunId("fit-head")) { Data = data, ZooPath = zooPath, Limit = limit });
        foreach (var shard in shards)
        {
            ct.ThrowIfCancellationRequested();
            embedder.Run(dataset.ReadShard(shard),
                (image, e) => { if (image.Label is null) unlabelled++; else fitter.Add(image.Label, e); },
                (_, _, _) => errors++);
        }
        if (fitter.Images == 0) throw new DatasetException($"no labelled images in {data}");
        var head = fitter.Fit(ClassOrder(data));
        // Recorded in the head file so anyone can reproduce it from the repository root.
        string command = $"robustcrop fit-head --model {modelId} --data {data}{(limit > 0 ? $" --limit {limit}" : "")} --out {output}";
        HeadFiles.Save(head, output, new HeadProvenance(modelId, dataset.Name, fitter.Images, command));
        return new FitHeadOutcome(modelId, fitter.Images, head.Classes.Count, errors, unlabelled, output);
    }

    /// <summary>Keeps the dataset's own class order (classes.txt) when it has one, so class indices mean the same thing.</summary>
    private static IReadOnlyList<string>? ClassOrder(string data)
    {
        string dir = data.Split('#')[0];
        string file = Path.Combine(dir, "classes.txt");
        return File.Exists(file) ? File.ReadAllLines(file).Where(l => l.Trim().Length > 0).Select(l => l.Trim()).ToList() : null;
    }
}
