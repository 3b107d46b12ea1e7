using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using RobustCrop.Cli.Options;
using RobustCrop.Coordinator.Jobs;
using RobustCrop.Core.Data;
using RobustCrop.Core.Geometry;
using RobustCrop.Core.Imaging;
using RobustCrop.Core.Models;
using RobustCrop.Core.Planning;
using RobustCrop.Core.Results;
using RobustCrop.Core.Rics;
using RobustCrop.Core.Settings;
using RobustCrop.IO.Data;
using RobustCrop.IO.Models;
using RobustCrop.IO.Storage;
using RobustCrop.Worker.Inference;
using RobustCrop.Worker.Pipeline;
using RobustCrop.Worker.Sinks;

namespace RobustCrop.Cli.Commands;

/// <summary>
/// Pipeline throughput against a bare ONNX Runtime loop over the very same batch tensors with the same thread settings,
/// in one process, side by side. The ratio is what the pipeline costs on top of the model itself.
/// </summary>
public sealed class BenchCommand : Command
{
    private readonly CliConsole _io;

    public BenchCommand(CliConsole io) : base("bench",
        "pipeline throughput vs a bare ONNX Runtime loop on the same model. Prints crops/s of both, the decode+crop+normalise cost per crop, and last: pipeline/bare: <ratio>.")
    {
        _io = io;
        var model = CliOptions.String("--model", "model from the zoo", Defaults.Bench.Model, "ID");
        var zoo = new Option<string>("--zoo") { Description = "zoo file", HelpName = "FILE", DefaultValueFactory = _ => ShippedFiles.DefaultZoo };
        var data = CliOptions.String("--data", "images to use (default: the shipped samples)", helpName: "PATHS");
        var images = CliOptions.Int("--images", "inputs to run", Defaults.Bench.Images, 1, 100_000);
        var threads = CliOptions.Threads();
        var batch = CliOptions.Batch();
        var device = CliOptions.Device();
        foreach (var o in new Option[] { model, zoo, data, images, threads, batch, device }) Add(o);
        SetAction((p, ct) => RunAsync(p.GetValue(model)!, p.GetValue(zoo)!, p.GetValue(data) ?? ShippedFiles.DefaultData, p.GetValue(images),
            p.GetValue(threads), p.GetValue(batch), p.GetValue(device)!, ct));
    }

    private async Task<int> RunAsync(string modelId, string zooPath, string data, int images, int threads, int batch, string device, CancellationToken ct)
    {
        var manifest = ZooFile.Load(zooPath, ShippedFiles.BuiltinModelsDir).FirstOrDefault(m => m.Id == modelId)
            ?? throw new ZooException($"model '{modelId}' is not in the zoo {zooPath}");
        var dataset = DatasetFactory.Open(data);
        var records = TakeRecords(dataset, images);
        var settings = new RunSettings(new RunId("bench")) { Data = data, ZooPath = zooPath, Batch = batch };
        ZooFeasibility.Check(manifest, settings);
        ModelLoader.Validate(manifest);
        // Float crops normalised on the CPU, as the bare loop below feeds them (the in-graph byte path is not benched yet).
        using var model = ModelLoader.Load(manifest, DeviceSpec.Parse(device), threads, normaliseInGraph: false);
        Out($"model {modelId} on {model.Device}, {threads} intra-op thread(s), batch {batch}, {records.Count} inputs from {dataset.Name}");

        // 1. Preparation cost: decode + resize once per image, then write every planned crop (normalised) into a tensor.
        // The same preparer and planner as the pipeline measured in 3, timed stage by stage.
        var preparer = new ImagePreparer([manifest.SceneFamily], settings);
        var planner = ImagePlanner.Measurement(settings);
        var sw = Stopwatch.StartNew();
        var prepared = records.Select(preparer.Prepare).Where(p => !p.IsError).ToList();
        double decodeMs = sw.Elapsed.TotalMilliseconds;
        var plans = prepared.Select(p =>
        {
            var scene = p.Scenes[manifest.SceneFamily];
            return (scene, plan: planner.Plan(scene, new SceneGeometry(scene.Width, scene.Height, manifest.ResizeSize, manifest.InputSize)).Crops);
        }).Where(p => p.plan is not null).Select(p => (p.scene, plan: p.plan!)).ToList();
        int cropFloats = 3 * manifest.InputSize * manifest.InputSize;
        int totalCrops = plans.Sum(p => p.plan.Crops.Length);
        // Tensors are allocated and touched before timing, so the figure is the crop writer's, not the page faults'.
        var batches = new List<float[]>();
        for (int left = totalCrops; left > 0; left -= batch)
        {
            var b = new float[Math.Min(batch, left) * cropFloats];
            b.AsSpan().Fill(1f);
            batches.Add(b);
        }
        sw.Restart();
        int k = 0;
        foreach (var (scene, plan) in plans)
            foreach (var c in plan.Crops)
            {
                CropWriter.WriteRolled(scene, c.Position.X, c.Position.Y, manifest.InputSize, c.RollX, c.RollY, model.Normalization,
                    batches[k / batch].AsSpan((k % batch) * cropFloats, cropFloats));
                k++;
            }
        double cropMs = sw.Elapsed.TotalMilliseconds;
        Out(F($"decode+resize: {decodeMs / Math.Max(1, prepared.Count):F2} ms/image; crop+normalise: {cropMs / Math.Max(1, totalCrops):F3} ms/crop"));
        Out(F($"decode+crop+normalise: {(decodeMs + cropMs) / Math.Max(1, totalCrops):F3} ms/crop ({totalCrops} crops)"));

        // 2. Bare loop over the same tensors; one warm-up batch first so both sides start warm.
        var output = new float[batch * model.Inference.OutputDimension];
        model.Inference.Run(batches[0], batches[0].Length / cropFloats, output);
        sw.Restart();
        foreach (var b in batches) model.Inference.Run(b, b.Length / cropFloats, output);
        double bareSecs = sw.Elapsed.TotalSeconds;
        double bare = totalCrops / bareSecs;
        Out(F($"bare ONNX Runtime loop: {bare:F1} crops/s ({bareSecs:F2} s)"));
        batches.Clear();
        BenchRicsScoring(plans.Select(p => (p.scene, p.plan.Geometry)).ToList(), 1000.0 / bare);

        // 3. The full pipeline on the same inputs: read → decode → plan → batch → infer → metrics → Parquet.
        string tmp = Path.Combine(Path.GetTempPath(), "robustcrop-bench-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var shard = new DatasetShard(new ShardId(0), ShardSource.Of("bench"), 0, records.Count);
            var evaluator = new ShardEvaluator([model], settings);
            var writer = new ShardWriter(new LocalFolderStore(tmp), new RunLayout("bench"), [model], "bench", settings);
            sw.Restart();
            var result = await evaluator.EvaluateAsync(shard, records, null, ct); // inference on a thread of its own
            await writer.WriteAsync(result, "bench", DateTimeOffset.UtcNow, ct);
            double pipeSecs = sw.Elapsed.TotalSeconds;
            double pipe = result.CropsInferred / pipeSecs;
            Out(F($"full pipeline: {pipe:F1} crops/s ({pipeSecs:F2} s, {result.CropsInferred} crops, {result.Images[model.Id].Count} images)"));
            await FeedCapacityAsync(manifest, model, records, settings, device, threads, tmp, ct);
            Out(F($"pipeline/bare: {pipe / bare:F3}"));
        }
        finally
        {
            if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true);
        }
        return 0;
    }

    /// <summary>
    /// 4. Feed capacity: the same pipeline on the same inputs with <see cref="FeedModel"/> in place of the model, so the
    /// figure is what decode, resize, planning, RICS scoring, crop assembly, the head, the metrics and the Parquet writes
    /// deliver per second, the ceiling any accelerator behind them can be fed at. Per core: crops per CPU-second of the
    /// whole process (every thread, GC included), which is what a node of N cores multiplies by N.
    /// </summary>
    private async Task FeedCapacityAsync(ModelManifest manifest, EvaluatedModel real, IReadOnlyList<ImageRecord> records, RunSettings settings,
        string device, int threads, string tmp, CancellationToken ct)
    {
        Directory.CreateDirectory(tmp);
        string path = Path.Combine(tmp, "feed-capacity.onnx");
        FeedModel.Write(path, real.Inference is OnnxSession s ? s.InputName : "input", manifest.InputSize, real.Interpreter.RawDimension);
        // The real model's preprocessing and head; no low-pass (that is part of the model's own cost).
        var nullManifest = manifest with { OnnxPath = path, LowPassSigma = null, InputName = null };
        using var model = ModelLoader.Load(nullManifest, DeviceSpec.Parse(device), threads, normaliseInGraph: false);
        var shard = new DatasetShard(new ShardId(0), ShardSource.Of("feed"), 0, records.Count);
        var evaluator = new ShardEvaluator([model], settings);
        var writer = new ShardWriter(new LocalFolderStore(Path.Combine(tmp, "feed")), new RunLayout("feed"), [model], "bench", settings);
        using var process = Process.GetCurrentProcess();
        var cpu0 = process.TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        var result = await evaluator.EvaluateAsync(shard, records, null, ct);
        await writer.WriteAsync(result, "feed", DateTimeOffset.UtcNow, ct);
        double secs = sw.Elapsed.TotalSeconds;
        process.Refresh();
        double cpu = (process.TotalProcessorTime - cpu0).TotalSeconds;
        Out(F($"feed capacity (near-zero-cost model, same shapes and head): {result.CropsInferred / secs:F0} crops/s ({secs:F2} s wall, {cpu:F2} s CPU, {result.CropsInferred} crops)"));
        Out(F($"feed/core: {result.CropsInferred / Math.Max(cpu, 1e-9):F0}"));
    }

    /// <summary>
    /// What choosing a crop costs next to classifying it: scoring all n² candidates of the base frame and its 8 one-pixel
    /// neighbours (the evaluate workload), against one forward pass.
    /// </summary>
    private void BenchRicsScoring(IReadOnlyList<(RgbImage Scene, SceneGeometry Geometry)> scenes, double forwardMs)
    {
        if (scenes.Count == 0) return;
        var frames = new List<Shift> { Shift.Zero };
        frames.AddRange(ShiftSets.N1);
        foreach (var (score, n) in new[] { (RicsScore.Hash, 9), (RicsScore.Dog, 9), (RicsScore.Hash, 31) })
        {
            var sw = Stopwatch.StartNew();
            foreach (var (scene, g) in scenes)
            {
                var selector = new RicsSelector(scene, g.Base, g.CropSize, n, 1, seed: 1);
                foreach (var f in frames) selector.Select(n, score, f);
            }
            double ms = sw.Elapsed.TotalMilliseconds / scenes.Count;
            Out(F($"rics scoring ({RicsScores.Name(score)}, n={n}, 9 frames): {ms:F2} ms/image = {100 * ms / forwardMs:F1}% of one forward pass ({forwardMs:F1} ms)"));
        }
        var cyc = Stopwatch.StartNew();
        foreach (var (scene, g) in scenes)
            foreach (var f in frames) CyclicCanonicalizer.Canonicalize(scene, g.Base, g.CropSize, f.Dx, f.Dy);
        // Each input (the base crop and its 8 cyclic shifts) is canonicalised from its own pixels, then classified once.
        double cms = cyc.Elapsed.TotalMilliseconds / (scenes.Count * frames.Count);
        Out(F($"cyclic rics canonicalisation: {cms:F2} ms/input = {100 * cms / forwardMs:F1}% of the forward pass it precedes"));
    }

    private static List<ImageRecord> TakeRecords(IImageDataset dataset, int n)
    {
        var list = new List<ImageRecord>();
        foreach (var shard in dataset.PlanShards(256))
            foreach (var r in dataset.ReadShard(shard))
            {
                // Keep the encoded bytes in memory so both sides measure the same work, not disk reads.
                list.Add(r);
                if (list.Count == n) return list;
            }
        return list;
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private void Out(string line) => _io.Out.WriteLine(line);
}
