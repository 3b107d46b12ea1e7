using System.Diagnostics;
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
using RobustCrop.IO.Results;
using RobustCrop.IO.Storage;
using RobustCrop.Worker.Inference;
using RobustCrop.Worker.Pipeline;
using RobustCrop.Worker.Sinks;

namespace RobustCrop.Coordinator.Jobs;

/// <summary>
/// Pipeline throughput against a bare ONNX Runtime loop over the very same batch tensors with the same thread settings,
/// in one process, side by side; the ratio is what the pipeline costs on top of the model itself. Also what choosing a
/// crop costs, the feed capacity of a near-zero-cost model and the worker's peak memory per dataset size.
/// </summary>
/// <param name="measureInChild">Runs <see cref="BenchFeed.MeasureMemoryAsync"/> for a size in a fresh process (a peak
/// working set never goes down, so no process can measure two sizes).</param>
/// <param name="note">Told what the model load decides (the batch <c>--batch auto</c> chose).</param>
public sealed class BenchJob(BenchOptions options, Func<int, CancellationToken, Task<MemoryMeasurement>> measureInChild, Action<string>? note = null)
{
    public async Task<BenchReport> RunAsync(CancellationToken ct)
    {
        var manifest = SelectModel(options);
        var dataset = DatasetFactory.Open(options.Data);
        var records = TakeRecords(dataset, options.Sizes.Min());
        var settings = options.Settings;
        ZooFeasibility.Check(manifest, settings);
        ModelLoader.Validate(manifest);
        using var model = ModelLoader.Load(manifest, DeviceSpec.Parse(options.Device), options.Threads, autoBatch: options.Batch == RunSettings.AutoBatch, note: note);
        // The bare loop runs the batch the pipeline runs: the one given, or the one auto chose for this device.
        int batch = Math.Min(model.BatchFor(options.Batch), model.Inference.MaxBatch);
        var setup = new BenchSetup(manifest.Id, model.Device, options.Threads, batch, options.DecodeThreads,
            model.Inference is OnnxSession { UsesIoBinding: true }, records.Count, dataset.Name, options.Repeats);

        // 1. Preparation cost: decode + resize once per image, then write every planned crop into a batch tensor the way
        // the pipeline does: raw bytes, which the model normalises in its graph. The same preparer and planner as the
        // pipeline measured in 2, timed stage by stage.
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
        int cropBytes = 3 * manifest.InputSize * manifest.InputSize;
        int totalCrops = plans.Sum(p => p.plan.Crops.Length);
        // Tensors are allocated and touched before timing, so the figure is the crop writer's, not the page faults'.
        var batches = new List<byte[]>();
        for (int left = totalCrops; left > 0; left -= batch) batches.Add(Enumerable.Repeat((byte)1, Math.Min(batch, left) * cropBytes).ToArray());
        sw.Restart();
        int k = 0;
        foreach (var (scene, plan) in plans)
            foreach (var c in plan.Crops)
            {
                CropBytes.WriteRolled(scene, c.Position.X, c.Position.Y, manifest.InputSize, c.RollX, c.RollY, batches[k / batch].AsSpan((k % batch) * cropBytes, cropBytes));
                k++;
            }
        double cropMs = sw.Elapsed.TotalMilliseconds;

        // 2. Alternated: the bare loop over the same tensors into the same session, then the full pipeline on the same
        // inputs (read → decode → plan → batch → infer → metrics → Parquet), `repeats` times, and the bare loop once more
        // at the end, so every pipeline run lies between two bare runs. On a shared machine the device's speed drifts by
        // ±10% over tens of seconds (a neighbour's load), more than the gap being measured: each pipeline run is compared
        // with the mean of the bare runs either side of it, which cancels a drift that is linear over the pair, and the
        // median of those ratios is the figure. One warm-up batch first so both sides start warm.
        var output = new float[batch * model.Inference.OutputDimension];
        void RunBatch(int i) => model.Inference.Run(batches[i], batches[i].Length / cropBytes, output);
        RunBatch(0);
        string tmp = Path.Combine(Path.GetTempPath(), "robustcrop-bench-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var shard = new DatasetShard(new ShardId(0), ShardSource.Of("bench"), 0, records.Count);
            var times = new StageTimes();
            var bareRates = new List<double>();
            var pipeRates = new List<double>();
            ShardResult? result = null;
            double pipeSecsTotal = 0;
            void RunBare()
            {
                sw.Restart();
                for (int i = 0; i < batches.Count; i++) RunBatch(i);
                bareRates.Add(totalCrops / sw.Elapsed.TotalSeconds);
            }
            RunBare();
            for (int r = 0; r < options.Repeats; r++)
            {
                var runner = ShardRunner.Evaluate([model], settings, new PipelineOptions { DecodeThreads = options.DecodeThreads, Times = times },
                    new ShardFiles(new LocalFolderStore(Path.Combine(tmp, $"pipeline-{r}")), new RunLayout("bench")), "bench");
                sw.Restart();
                // Inference on a thread of its own; the runner adds the write to the stage times.
                result = (await runner.RunAsync(shard, records, "bench", null, ct)).Result;
                pipeSecsTotal += sw.Elapsed.TotalSeconds;
                pipeRates.Add(result.CropsInferred / sw.Elapsed.TotalSeconds);
                RunBare();
            }
            batches.Clear();
            int images = result!.Images[model.Id].Count;
            var (rics, cyclic) = RicsScoring(plans.Select(p => (p.scene, p.plan.Geometry)).ToList());
            var (scaling, feed) = await FeedCapacityAsync(manifest, model, Cycle(records, options.FeedInputs), settings, tmp, ct);
            return new BenchReport
            {
                Setup = setup,
                DecodeMsPerImage = decodeMs / Math.Max(1, prepared.Count),
                CropMsPerCrop = cropMs / Math.Max(1, totalCrops),
                DecodeCropMsPerCrop = (decodeMs + cropMs) / Math.Max(1, totalCrops),
                TotalCrops = totalCrops,
                BareRates = bareRates,
                PipelineRates = pipeRates,
                Ratios = pipeRates.Select((p, r) => p / ((bareRates[r] + bareRates[r + 1]) / 2)).ToList(),
                PipelineCrops = result.CropsInferred,
                PipelineImages = images,
                // Summed over the repeats, so per image and per crop are over every run.
                PipelineStages = Stages(times, images * options.Repeats, result.CropsInferred * options.Repeats, pipeSecsTotal),
                RicsScoring = rics,
                CyclicCanonicalisationMs = cyclic,
                FeedScaling = scaling,
                Feed = feed,
                Memory = await MemoryAsync(ct),
            };
        }
        finally
        {
            if (Directory.Exists(tmp)) Directory.Delete(tmp, recursive: true);
        }
    }

    /// <summary>The bench's model from its zoo; "not in the zoo" otherwise.</summary>
    internal static ModelManifest SelectModel(BenchOptions options)
        => ZooSelection.One(ZooFile.Load(options.Zoo, ShippedFiles.BuiltinModelsDir), options.Model, options.Zoo);

    /// <summary>The stages the bench reports, in pipeline order, with the names it prints.</summary>
    internal static IReadOnlyList<StageFigure> Stages(StageTimes times, int images, long crops, double wallSeconds) =>
        [.. new[] { (Stage.Decode, "decode"), (Stage.Resize, "resize"), (Stage.Plan, "plan+score"), (Stage.CropAssembly, "crop assembly"),
                (Stage.Infer, "infer"), (Stage.Metrics, "metrics"), (Stage.Write, "write") }
            .Select(s =>
            {
                double ms = times.Total(s.Item1).TotalMilliseconds;
                return new StageFigure(s.Item2, ms, ms / Math.Max(1, images), ms / Math.Max(1, crops), 100 * ms / (1000 * wallSeconds));
            })];

    /// <summary>
    /// 3. Feed capacity: the same pipeline on the same inputs with <see cref="BenchFeed.Model"/> in place of the model, so
    /// the figure is what decode, resize, planning, RICS scoring, crop assembly, the head, the metrics and the Parquet
    /// writes deliver per second, the ceiling any accelerator behind them can be fed at; per core, crops per CPU-second of
    /// the whole process (every thread, GC included). How it scales with decode threads (1, 2, the configured count).
    /// </summary>
    private async Task<(IReadOnlyList<FeedScaling>, FeedFigure)> FeedCapacityAsync(ModelManifest manifest, EvaluatedModel real,
        IReadOnlyList<ImageRecord> records, RunSettings settings, string tmp, CancellationToken ct)
    {
        Directory.CreateDirectory(tmp);
        using var model = BenchFeed.Model(manifest, real.Interpreter.RawDimension, DeviceSpec.Parse(options.Device));
        // One untimed pass first: the feed model's session allocates its arenas on its first runs, which on two inputs
        // would otherwise be most of what the first figure measures.
        await BenchFeed.OnceAsync(model, records, settings, options.DecodeThreads, Path.Combine(tmp, "feed-warm-up"), ct);
        var counts = new SortedSet<int> { 1, options.DecodeThreads };
        if (Environment.ProcessorCount >= 2) counts.Add(2);
        var scaling = new List<FeedScaling>();
        FeedFigure? configured = null;
        foreach (int n in counts)
        {
            var (feed, _) = await BenchFeed.OnceAsync(model, records, settings, n, Path.Combine(tmp, $"feed-{n}"), ct);
            scaling.Add(new FeedScaling(n, feed.CropsPerSecond, feed.PerCore));
            if (n == options.DecodeThreads) configured = feed;
        }
        return (scaling, configured!);
    }

    // A peak working set moves with when the collector happens to run: each size is measured in `repeats` fresh processes
    // and the median compared.
    private async Task<IReadOnlyList<MemoryFigure>> MemoryAsync(CancellationToken ct)
    {
        var figures = new List<MemoryFigure>();
        foreach (int size in options.Sizes)
        {
            var runs = new List<MemoryMeasurement>();
            for (int r = 0; r < options.Repeats; r++) runs.Add(await measureInChild(size, ct));
            figures.Add(new MemoryFigure(size, runs[0].Inputs, [.. runs.Select(m => m.PeakBytes / (1024.0 * 1024.0))]));
        }
        return figures;
    }

    /// <summary>
    /// What choosing a crop costs next to classifying it: scoring all n² candidates of the base frame and its 8 one-pixel
    /// neighbours (the evaluate workload), and canonicalising each input for cyclic RICS.
    /// </summary>
    private static (IReadOnlyList<RicsScoringFigure>, double?) RicsScoring(IReadOnlyList<(RgbImage Scene, SceneGeometry Geometry)> scenes)
    {
        if (scenes.Count == 0) return ([], null);
        var frames = new List<Shift> { Shift.Zero };
        frames.AddRange(ShiftSets.N1);
        var figures = new List<RicsScoringFigure>();
        foreach (var (score, n) in new[] { (RicsScore.Hash, 9), (RicsScore.Dog, 9), (RicsScore.Blob, 9), (RicsScore.Hessian, 9), (RicsScore.Hash, 31) })
        {
            var sw = Stopwatch.StartNew();
            foreach (var (scene, g) in scenes)
            {
                var selector = new RicsSelector(scene, g.Base, g.CropSize, n, 1, seed: 1);
                foreach (var f in frames) selector.Select(n, score, f);
            }
            figures.Add(new RicsScoringFigure(RicsScores.Name(score), n, sw.Elapsed.TotalMilliseconds / scenes.Count));
        }
        var cyc = Stopwatch.StartNew();
        foreach (var (scene, g) in scenes)
            foreach (var f in frames) CyclicCanonicalizer.Canonicalize(scene, g.Base, g.CropSize, f.Dx, f.Dy);
        // Each input (the base crop and its 8 cyclic shifts) is canonicalised from its own pixels, then classified once.
        return (figures, cyc.Elapsed.TotalMilliseconds / (scenes.Count * frames.Count));
    }

    /// <summary>The inputs repeated up to <paramref name="n"/>, each repeat under keys of its own (the rows of one shard are
    /// keyed by input), so the feed runs over a whole shard of real inputs without reading more than the bench holds.</summary>
    private static List<ImageRecord> Cycle(IReadOnlyList<ImageRecord> records, int n)
        => records.Count == 0 ? [] : Enumerable.Range(0, n)
            .Select(i => i < records.Count ? records[i] : records[i % records.Count] with { Key = $"{records[i % records.Count].Key}~{i / records.Count}" })
            .ToList();

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
}
