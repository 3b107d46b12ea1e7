using RobustCrop.Core.Data;
using RobustCrop.IO.Data;
using RobustCrop.Core.Models;
using RobustCrop.IO.Models;
using RobustCrop.Worker.Inference;
using RobustCrop.Worker.Pipeline;
using RobustCrop.Coordinator.Jobs;

namespace RobustCrop.Cli.Commands;

public sealed class FitHeadCommand : ICommand
{
    public string Name => "fit-head";
    public string Summary => "fit a prototype head (class means of embeddings) on a labelled reference set";
    public string Usage => """
        robustcrop fit-head --model ID --data PATH --out FILE [options]
          --model ID     embedding model from the zoo
          --data PATH    labelled reference set, e.g. samples/fashion-mnist#train
          --out FILE     head file to write (JSON); point a zoo entry's `head:` at it
          --zoo FILE     zoo file (default: the shipped zoo)
          --kind KIND    prototype (default; the only kind fitted here — linear and zero-shot heads are loaded from files)
          --limit N      at most N reference images (0 = all)
          --device DEV   cpu | cuda | cuda:N (default cpu)
          --threads N    ONNX Runtime intra-op threads
        """;

    public Task<int> RunAsync(CommandLine a, CancellationToken ct)
    {
        string modelId = a.String("model") ?? throw new UsageException("fit-head needs --model ID");
        string data = a.String("data") ?? throw new UsageException("fit-head needs --data PATH (a labelled reference set)");
        string output = a.String("out") ?? throw new UsageException("fit-head needs --out FILE");
        string zooPath = a.String("zoo") ?? ShippedFiles.DefaultZoo;
        string kind = a.String("kind", "prototype");
        int limit = a.Int("limit", 0, min: 0);
        string device = a.String("device", "cpu");
        int threads = a.Int("threads", Environment.ProcessorCount, min: 1, max: 1024);
        a.ThrowOnUnused();
        if (kind != "prototype") throw new UsageException($"--kind {kind}: only prototype heads are fitted here");

        var manifest = ZooFile.Load(zooPath, ShippedFiles.BuiltinModelsDir).FirstOrDefault(m => m.Id == modelId)
            ?? throw new ZooException($"model '{modelId}' is not in the zoo {zooPath}");
        if (manifest.Output != OutputKind.Embedding) throw new ZooException($"model '{modelId}' outputs logits; heads apply to embedding models");
        var dataset = DatasetFactory.Open(data);
        var shards = ShardLimit.Apply(dataset.PlanShards(1024), limit);

        // Fit on the bare embedding: any head already configured for the model is ignored.
        using var model = ModelLoader.Load(manifest with { HeadPath = null }, DeviceSpec.Parse(device), threads);
        var fitter = new PrototypeHeadFitter(model.Interpreter.VectorDimension);
        int errors = 0, unlabelled = 0;
        var embedder = new BaseCropEmbedder(model, new EvaluationSettings("fit-head"));
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
        head.Save(output, new HeadProvenance(modelId, dataset.Name, fitter.Images, command));
        System.Console.WriteLine($"fitted a prototype head for {modelId} on {fitter.Images} images of {head.Classes.Count} classes " +
                                 $"({errors} unusable, {unlabelled} unlabelled) -> {output}");
        return Task.FromResult(0);
    }

    /// <summary>Keeps the dataset's own class order (classes.txt) when it has one, so class indices mean the same thing.</summary>
    private static IReadOnlyList<string>? ClassOrder(string data)
    {
        string dir = data.Split('#')[0];
        string file = Path.Combine(dir, "classes.txt");
        return File.Exists(file) ? File.ReadAllLines(file).Where(l => l.Trim().Length > 0).Select(l => l.Trim()).ToList() : null;
    }
}
