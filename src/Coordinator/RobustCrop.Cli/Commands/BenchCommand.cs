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
        var images = new Option<IReadOnlyList<int>>("--images")
        {
            Description = "inputs to run (the smallest for the side-by-side figures); each size also gets the worker's peak working set, measured in a child process",
            HelpName = "N[,N...]",
            DefaultValueFactory = _ => [Defaults.Bench.Images],
            CustomParser = r => ParseSizes(r),
        };
        var threads = CliOptions.Threads();
        var batch = CliOptions.Batch();
        var device = CliOptions.Device();
        var decodeThreads = CliOptions.DecodeThreads();
        var repeats = CliOptions.Int("--repeats", "times the pipeline runs, each between two runs of the bare loop; the median of its ratios to them is compared", Defaults.Bench.Repeats, 1, 100);
        var feedInputs = CliOptions.Int("--feed-inputs",
            "inputs the feed capacity runs over, the bench's inputs cycled (default: one shard of the default size)", Defaults.Bench.FeedInputs, 1, 100_000);
        // The memory child's mode: stream N inputs through the worker's path and print one line.
        var measureMemory = new Option<int?>(BenchMemory.Option) { Hidden = true };
        foreach (var o in new Option[] { model, zoo, data, images, threads, batch, device, decodeThreads, repeats, feedInputs, measureMemory }) Add(o);
        SetAction((p, ct) =>
        {
            var args = new BenchArgs(p.GetValue(model)!, p.GetValue(zoo)!, p.GetValue(data) ?? ShippedFiles.DefaultData, p.GetValue(threads),
                p.GetValue(batch), p.GetValue(device)!, p.GetValue(decodeThreads), p.GetValue(repeats));
            return p.GetValue(measureMemory) is int n ? MeasureMemoryAsync(args, n, ct) : RunAsync(args, p.GetValue(images)!, p.GetValue(feedInputs), ct);
        });
    }

    /// <summary>What both the bench and its memory children are run with.</summary>
    private sealed record BenchArgs(string Model, string Zoo, string Data, int Threads, int Batch, string Device, int DecodeThreads, int Repeats)
    {
        public IEnumerable<string> ToArgs() => ["--model", Model, "--zoo", Zoo, "--data", Data, "--threads", I(Threads), "--batch", Batch == RunSettings.AutoBatch ? "auto" : I(Batch),
            "--device", Device, "--decode-threads", I(DecodeThreads)];

        private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);
    }

    private async Task<int> MeasureMemoryAsync(BenchArgs a, int images, CancellationToken ct)
    {
        var manifest = LoadManifest(a);
        var settings = Settings(a);
        return await BenchMemory.MeasureAsync(manifest, settings, DatasetFactory.Open(a.Data), images, DeviceSpec.Parse(a.Device),
            new PipelineOptions { DecodeThreads = a.DecodeThreads }, _io.Out, ct);
    }

    /// <summary>The sample job's plan (the default a user first runs): the measurement crops, hash RICS at n = 9 and cyclic RICS.</summary>
    private static RunSettings Settings(BenchArgs a) => new(new RunId("bench"))
    {
        Data = a.Data,
        ZooPath = a.Zoo,
        Batch = a.Batch,
        Rics = RicsSelection.Of(Defaults.Evaluate.SampleRicsWindows, [RicsScores.Parse(Defaults.Evaluate.RicsScore)], cyclic: true),
    };

    private static ModelManifest LoadManifest(BenchArgs a)
        => ZooFile.Load(a.Zoo, ShippedFiles.BuiltinModelsDir).FirstOrDefault(m => m.Id == a.Model)
            ?? throw new ZooException($"model '{a.Model}' is not in the zoo {a.Zoo}");

    private static List<int> ParseSizes(System.CommandLine.Parsing.ArgumentResult r)
    {
        string text = CliOptions.Single(r);
        var list = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) || n is < 1 or > 100_000)
            {
                r.AddError($"--images needs input counts 1-100000, comma-separated; got '{text}'");
                return list;
            }
            if (!list.Contains(n)) list.Add(n);
        }
        if (list.Count == 0) r.AddError("--images needs at least one input count");
        return list;
    }

    private async Task<int> RunAsync(BenchArgs a, IReadOnlyList<int> sizes, int feedInputs, CancellationToken ct)
    {
        var manifest = LoadManifest(a);
        var dataset = DatasetFactory.Open(a.Data);
        var records = TakeRecords(dataset, sizes.Min());
        var settings = Settings(a);
        ZooFeasibility.Check(manifest, settings);
        ModelLoader.Validate(manifest);
        int threads = a.Threads;
        string modelId = a.Model, device = a.Device;
        using var model = ModelLoader.Load(manifest, DeviceSpec.Parse(device), threads, autoBatch: a.Batch == RunSettings.AutoBatch, note: Out);
        // The bare loop runs the batch the pipeline runs: the one given, or the one auto chose for this device.
        int batch = Math.Min(model.BatchFor(a.Batch), model.Inference.MaxBatch);
        string binding = model.Inference is OnnxSession { UsesIoBinding: true } ? ", I/O binding over pinned host buffers" : "";
        Out($"model {modelId} on {model.Device}, {threads} intra-op thread(s), batch {batch}, {a.DecodeThreads} decode thread(s), uint8 crops normalised in the graph{binding}, {records.Count} inputs from {dataset.Name}, the sample job's plan (hash RICS n=9, cyclic RICS)");

        // 1. Preparation cost: decode + resize once per image, then write every planned crop into a batch tensor the way
        // the pipeline does: raw bytes, which the model normalises in its graph.
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
        int cropValues = 3 * manifest.InputSize * manifest.InputSize;
        int totalCrops = plans.Sum(p => p.plan.Crops.Length);
        // Tensors are allocated and touched before timing, so the figure is the crop writer's, not the page faults'.
        var byteBatches = new List<byte[]>();
        for (int left = totalCrops; left > 0; left -= batch) byteBatches.Add(Enumerable.Repeat((byte)1, Math.Min(batch, left) * cropValues).ToArray());
        sw.Restart();
        int k = 0;
        foreach (var (scene, plan) in plans)
            foreach (var c in plan.Crops)
            {
                int at = (k % batch) * cropValues;
                CropBytes.WriteRolled(scene, c.Position.X, c.Position.Y, manifest.InputSize, c.RollX, c.RollY, byteBatches[k / batch].AsSpan(at, cropValues));
                k++;
            }
        double cropMs = sw.Elapsed.TotalMilliseconds;
        Out(F($"decode+resize: {decodeMs / Math.Max(1, prepared.Count):F2} ms/image; crop (uint8, normalised in the graph): {cropMs / Math.Max(1, totalCrops):F3} ms/crop"));
        Out(F($"decode+crop: {(decodeMs + cropMs) / Math.Max(1, totalCrops):F3} ms/crop ({totalCrops} crops)"));

        // 2 and 3, alternated: the bare loop over the same tensors into the same session, then the full pipeline on the same
        // inputs (read → decode → plan → batch → infer → metrics → Parquet), `repeats` times, and the bare loop once more
        // at the end, so every pipeline run lies between two bare runs. On a shared machine the device's speed drifts by
        // ±10% over tens of seconds (a neighbour's load), more than the gap being measured: each pipeline run is compared
        // with the mean of the bare runs either side of it, which cancels a drift that is linear over the pair, and the
        // median of those ratios is the figure. One warm-up batch first so both sides start warm.
        var output = new float[batch * model.Inference.OutputDimension];
        void RunBatch(int i) => model.Inference.Run(byteBatches[i], byteBatches[i].Length / cropValues, output);
        int batchCount = byteBatches.Count;
        RunBatch(0);
        string tmp = Path.Combine(Path.GetTempPath(), "robustcrop-bench-" + Guid.NewGuid().ToString("N")[..8]);
        var peaks = new List<long>();
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
                for (int i = 0; i < batchCount; i++) RunBatch(i);
                bareRates.Add(totalCrops / sw.Elapsed.TotalSeconds);
            }
            RunBare();
            for (int r = 0; r < a.Repeats; r++)
            {
                var evaluator = new ShardEvaluator([model], settings, new PipelineOptions { DecodeThreads = a.DecodeThreads, Times = times });
                var writer = new ShardWriter(new LocalFolderStore(Path.Combine(tmp, $"pipeline-{r}")), new RunLayout("bench"), [model], "bench", settings);
                sw.Restart();
                result = await evaluator.EvaluateAsync(shard, records, null, ct); // inference on a thread of its own
                long writeStarted = Stopwatch.GetTimestamp();
                await writer.WriteAsync(result, "bench", DateTimeOffset.UtcNow, ct);
                times.Add(Stage.Write, writeStarted);
                pipeSecsTotal += sw.Elapsed.TotalSeconds;
                pipeRates.Add(result.CropsInferred / sw.Elapsed.TotalSeconds);
                RunBare();
            }
            byteBatches.Clear();
            double bare = Median(bareRates), pipe = Median(pipeRates);
            var ratios = pipeRates.Select((p, r) => p / ((bareRates[r] + bareRates[r + 1]) / 2)).ToList();
            Out(F($"bare ONNX Runtime loop: {bare:F1} crops/s ({totalCrops / bare:F2} s; {Runs(bareRates, "run", "runs", "F1")})"));
            BenchRicsScoring(plans.Select(p => (p.scene, p.plan.Geometry)).ToList(), 1000.0 / bare);
            int images = result!.Images[model.Id].Count;
            Out(F($"full pipeline: {pipe:F1} crops/s ({result.CropsInferred / pipe:F2} s, {result.CropsInferred} crops, {images} images; {Runs(pipeRates, "run", "runs", "F1")})"));
            Out("each pipeline run / mean of the bare runs either side: " + string.Join(", ", ratios.Select(v => v.ToString("F3", CultureInfo.InvariantCulture))));
            // Summed over the repeats, so per image and per crop are over every run.
            StageTable(times, images * a.Repeats, result.CropsInferred * a.Repeats, pipeSecsTotal);
            await FeedCapacityAsync(manifest, model, Cycle(records, feedInputs), settings, device, a.DecodeThreads, tmp, ct);
            // A peak working set moves with when the collector happens to run: each size is measured in `repeats` fresh
            // processes and the median compared.
            foreach (int size in sizes)
            {
                var runs = new List<BenchMemory.Measured>();
                for (int r = 0; r < a.Repeats; r++) runs.Add(await BenchMemory.InChildAsync(size, a.ToArgs(), ct));
                var mib = runs.Select(m => m.PeakBytes / (1024.0 * 1024.0)).ToList();
                double median = Median(mib);
                Out(F($"worker peak working set at {size} inputs: {median:F0} MiB ({runs[0].Inputs} inputs read, near-zero-cost model, {Runs(mib, "process", "processes", "F0")})"));
                peaks.Add((long)(median * 1024 * 1024));
            }
            if (peaks.Count > 1) Out(F($"peak working set ratio ({sizes[^1]} / {sizes[0]} inputs): {(double)peaks[^1] / peaks[0]:F3}"));
            Out(F($"pipeline/bare: {Median(ratios):F3}"));
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
        string device, int decodeThreads, string tmp, CancellationToken ct)
    {
        Directory.CreateDirectory(tmp);
        using var model = FeedModel.Load(manifest, real.Interpreter.RawDimension, DeviceSpec.Parse(device));
        // How the feed scales with decode threads (1, 2, …, the configured count), then the configured count's figure.
        // One untimed pass first: the feed model's session allocates its arenas on its first runs, which on two inputs
        // would otherwise be most of what the first figure measures.
        await FeedOnceAsync(model, records, settings, decodeThreads, Path.Combine(tmp, "feed-warm-up"), ct);
        var counts = new SortedSet<int> { 1, decodeThreads };
        if (Environment.ProcessorCount >= 2) counts.Add(2);
        Feed? configured = null;
        foreach (int n in counts)
        {
            var feed = await FeedOnceAsync(model, records, settings, n, Path.Combine(tmp, $"feed-{n}"), ct);
            Out(F($"feed scaling, {n} decode thread(s): {feed.Crops / feed.Seconds:F0} crops/s wall, {feed.Crops / Math.Max(feed.CpuSeconds, 1e-9):F0} crops per CPU-second"));
            if (n == decodeThreads) configured = feed;
        }
        var c = configured!;
        // Where the feed's CPU goes, stage by stage (the null model's "infer" is what an accelerator's launch would cost).
        Out("feed stages:");
        StageTable(c.Times, records.Count, c.Crops, c.Seconds, indent: "  ");
        Out(F($"feed GC pauses: {c.GcPauseMs:F1} ms over {c.Seconds:F2} s; stages not timed above (queues, rows, threads waking): {Math.Max(0, c.CpuSeconds * 1000 - StageMs(c.Times)) / records.Count:F2} ms CPU/input"));
        Out(F($"feed capacity (near-zero-cost model, same shapes and head): {c.Crops / c.Seconds:F0} crops/s ({c.Seconds:F2} s wall, {c.CpuSeconds:F2} s CPU, {c.Crops} crops, {records.Count} inputs in one shard)"));
        Out(F($"feed/core: {c.Crops / Math.Max(c.CpuSeconds, 1e-9):F0}"));
    }

    private sealed record Feed(long Crops, double Seconds, double CpuSeconds, StageTimes Times, double GcPauseMs);

    private static double StageMs(StageTimes t) => Enum.GetValues<Stage>().Sum(s => t.Total(s).TotalMilliseconds);

    private static async Task<Feed> FeedOnceAsync(EvaluatedModel model, IReadOnlyList<ImageRecord> records, RunSettings settings, int decodeThreads,
        string folder, CancellationToken ct)
    {
        var shard = new DatasetShard(new ShardId(0), ShardSource.Of("feed"), 0, records.Count);
        var times = new StageTimes();
        var evaluator = new ShardEvaluator([model], settings, new PipelineOptions { DecodeThreads = decodeThreads, Times = times });
        var writer = new ShardWriter(new LocalFolderStore(folder), new RunLayout("feed"), [model], "bench", settings);
        using var process = Process.GetCurrentProcess();
        var cpu0 = process.TotalProcessorTime;
        var gc0 = GC.GetTotalPauseDuration();
        var sw = Stopwatch.StartNew();
        var result = await evaluator.EvaluateAsync(shard, records, null, ct);
        long writeStarted = Stopwatch.GetTimestamp();
        await writer.WriteAsync(result, "feed", DateTimeOffset.UtcNow, ct);
        times.Add(Stage.Write, writeStarted);
        double secs = sw.Elapsed.TotalSeconds;
        process.Refresh();
        return new Feed(result.CropsInferred, secs, (process.TotalProcessorTime - cpu0).TotalSeconds, times, (GC.GetTotalPauseDuration() - gc0).TotalMilliseconds);
    }

    /// <summary>Per stage: CPU time summed over the threads that ran it, per image and per crop, and its share of the wall time.</summary>
    private void StageTable(StageTimes times, int images, long crops, double wallSeconds, string indent = "")
    {
        Out(indent + "stage            ms total   ms/image    ms/crop   % of wall (summed over threads)");
        foreach (var (stage, name) in new[] { (Stage.Decode, "decode"), (Stage.Resize, "resize"), (Stage.Plan, "plan+score"),
                     (Stage.CropAssembly, "crop assembly"), (Stage.Infer, "infer"), (Stage.Metrics, "metrics"), (Stage.Write, "write") })
        {
            double ms = times.Total(stage).TotalMilliseconds;
            Out(indent + F($"{name,-14} {ms,10:F1} {ms / Math.Max(1, images),10:F2} {ms / Math.Max(1, crops),10:F3} {100 * ms / (1000 * wallSeconds),9:F1}"));
        }
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

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    // "one run", or "median of 3 runs: a, b, c" in the order measured.
    private static string Runs(List<double> values, string one, string many, string format) =>
        values.Count == 1 ? $"one {one}" : $"median of {values.Count} {many}: " + string.Join(", ", values.Select(v => v.ToString(format, CultureInfo.InvariantCulture)));

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private void Out(string line) => _io.Out.WriteLine(line);
}
