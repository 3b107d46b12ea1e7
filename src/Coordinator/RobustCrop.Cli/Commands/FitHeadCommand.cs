using System.CommandLine;
using RobustCrop.Cli.Options;
using RobustCrop.Coordinator.Jobs;
using RobustCrop.Core.Data;
using RobustCrop.Core.Models;
using RobustCrop.Core.Settings;
using RobustCrop.IO.Data;
using RobustCrop.IO.Models;
using RobustCrop.Worker.Inference;
using RobustCrop.Worker.Pipeline;

namespace RobustCrop.Cli.Commands;

public sealed class FitHeadCommand : Command
{
    public FitHeadCommand(CliConsole io) : base("fit-head", "fit a prototype head (class means of embeddings) on a labelled reference set")
    {
        var model = CliOptions.String("--model", "embedding model from the zoo", helpName: "ID", required: true);
        var data = CliOptions.String("--data", "labelled reference set, e.g. samples/fashion-mnist#train", helpName: "PATH", required: true);
        var output = CliOptions.String("--out", "head file to write (JSON); point a zoo entry's `head:` at it", helpName: "FILE", required: true);
        var zoo = new Option<string>("--zoo") { Description = "zoo file", HelpName = "FILE", DefaultValueFactory = _ => ShippedFiles.DefaultZoo };
        // Linear and zero-shot heads are loaded from files; only prototype heads are fitted here.
        var kind = CliOptions.OneOf("--kind", "head kind to fit", Defaults.FitHead.Kind, "KIND", Defaults.FitHead.Kind);
        var limit = CliOptions.Int("--limit", "at most N reference images (0 = all)", Defaults.FitHead.Limit, 0, int.MaxValue);
        var device = CliOptions.Device();
        var threads = CliOptions.Threads();
        foreach (var o in new Option[] { model, data, output, zoo, kind, limit, device, threads }) Add(o);
        SetAction((p, ct) => Task.FromResult(Run(io, p.GetValue(model)!, p.GetValue(data)!, p.GetValue(output)!, p.GetValue(zoo)!,
            p.GetValue(limit), p.GetValue(device)!, p.GetValue(threads), ct)));
    }

    private static int Run(CliConsole io, string modelId, string data, string output, string zooPath, int limit, string device, int threads, CancellationToken ct)
    {
        var manifest = ZooFile.Load(zooPath, ShippedFiles.BuiltinModelsDir).FirstOrDefault(m => m.Id == modelId)
            ?? throw new ZooException($"model '{modelId}' is not in the zoo {zooPath}");
        if (manifest.Output != OutputKind.Embedding) throw new ZooException($"model '{modelId}' outputs logits; heads apply to embedding models");
        var dataset = DatasetFactory.Open(data);
        var shards = ShardLimit.Apply(dataset.PlanShards(Defaults.FitHead.ShardSize), limit, dataset.PlannedInputs);

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
        io.Out.WriteLine($"fitted a prototype head for {modelId} on {fitter.Images} images of {head.Classes.Count} classes " +
                                 $"({errors} unusable, {unlabelled} unlabelled) -> {output}");
        return 0;
    }

    /// <summary>Keeps the dataset's own class order (classes.txt) when it has one, so class indices mean the same thing.</summary>
    private static IReadOnlyList<string>? ClassOrder(string data)
    {
        string dir = data.Split('#')[0];
        string file = Path.Combine(dir, "classes.txt");
        return File.Exists(file) ? File.ReadAllLines(file).Where(l => l.Trim().Length > 0).Select(l => l.Trim()).ToList() : null;
    }
}
