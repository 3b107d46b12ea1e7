using System.Diagnostics;
using RobustCrop.Core.Data;
using RobustCrop.Core.Models;
using RobustCrop.Core.Results;
using RobustCrop.Core.Settings;
using RobustCrop.IO.Data;
using RobustCrop.IO.Onnx;
using RobustCrop.IO.Results;
using RobustCrop.IO.Storage;
using RobustCrop.Worker.Inference;
using RobustCrop.Worker.Pipeline;
using RobustCrop.Worker.Sinks;

namespace RobustCrop.Coordinator.Jobs;

/// <summary>
/// The bench's near-zero-cost model and what is measured with it: the feed capacity (everything RobustCrop does around a
/// model, per second and per core) and the worker's peak working set per dataset size (one fresh process per size).
/// </summary>
public static class BenchFeed
{
    /// <summary>
    /// The near-zero-cost model: the uint8 [N,S,S,3] crops every model takes, and the real model's output size (so crop
    /// assembly, the head and the metrics do the same work). In between only the first pixel of each crop, cast and
    /// projected 3 → D: microseconds per batch. It takes the bytes as they are, with no normalisation prepended: on an
    /// accelerator the normalisation runs on the device with the model, and on the CPU the cast, scale and mean/std of
    /// 150,528 values per crop would be most of what the "null" model costs (0.32 of 0.50 ms per crop measured).
    /// </summary>
    /// <param name="outputDim">The real model's output values per crop.</param>
    public static EvaluatedModel Model(ModelManifest manifest, int outputDim, DeviceSpec device)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        int size = manifest.InputSize;
        byte[] graph = Graph(size, outputDim);
        // One intra-op thread: the null model stands in for an accelerator, and a CPU session's idle intra-op threads spin
        // after every run, CPU time that no accelerator's session would spend and that feed/core would count as feeding.
        var session = new OnnxSession(graph, device, intraOpThreads: 1, expectedInputSize: size, modelName: "feed_capacity");
        try
        {
            // The real model's head, classes and preprocessing; no low-pass (that is part of the model's own cost).
            return ModelLoader.Wrap(manifest with { LowPassSigma = null, InputName = null }, session);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>The near-zero-cost model's ONNX graph: uint8 [N,size,size,3] crops in, [N,outputDim] floats out (see <see cref="Model"/>);
    /// also what <c>rehearsal-data --zoo</c> writes as a model file, so a zoo can run it.</summary>
    public static byte[] Graph(int size, int outputDim)
    {
        var projection = new float[3 * outputDim];
        // Distinct columns: crops of different colour get different vectors, so the metrics see real cosines.
        for (int i = 0; i < projection.Length; i++) projection[i] = MathF.Sin(i + 1);
        return new OnnxGraphBuilder("feed_capacity")
            .AddByteInput("crops", "batch", size, size, 3)
            .AddOutput("output", "batch", outputDim)
            .AddInitializer("projection", [3, outputDim], projection)
            .AddFirstPixel("crops", "flat")
            .AddNode("MatMul", ["flat", "projection"], ["output"])
            .ToBytes();
    }

    /// <summary>One timed pass of <paramref name="model"/> over <paramref name="records"/> as one shard, Parquet written.</summary>
    internal static async Task<(FeedFigure Figure, StageTimes Times)> OnceAsync(EvaluatedModel model, IReadOnlyList<ImageRecord> records,
        RunSettings settings, int decodeThreads, string folder, CancellationToken ct)
    {
        var shard = new DatasetShard(new ShardId(0), ShardSource.Of("feed"), 0, records.Count);
        var times = new StageTimes();
        var runner = ShardRunner.Evaluate([model], settings, new PipelineOptions { DecodeThreads = decodeThreads, Times = times },
            new ShardFiles(new LocalFolderStore(folder), new RunLayout("feed")), "bench");
        using var process = Process.GetCurrentProcess();
        var cpu0 = process.TotalProcessorTime;
        var gc0 = GC.GetTotalPauseDuration();
        var sw = Stopwatch.StartNew();
        var result = (await runner.RunAsync(shard, records, "feed", null, ct)).Result;
        double secs = sw.Elapsed.TotalSeconds;
        process.Refresh();
        var figure = new FeedFigure(result.CropsInferred, records.Count, secs, (process.TotalProcessorTime - cpu0).TotalSeconds,
            (GC.GetTotalPauseDuration() - gc0).TotalMilliseconds, BenchJob.Stages(times, records.Count, result.CropsInferred, secs));
        return (figure, times);
    }

    /// <summary>
    /// A memory child's measurement: streams <paramref name="images"/> inputs through what a worker runs — shards read as
    /// a stream, evaluated, written to Parquet and dropped, one after another — with the near-zero-cost model carrying the
    /// real model's preprocessing and head, and returns this process's peak working set (VmHWM, which no process can
    /// reset: one process per size).
    /// </summary>
    /// <remarks>What grows with the data (inputs in flight, rows, writers) is the same as with the real model; a
    /// 35-crop-per-image ResNet18 run of 1,000 inputs would take minutes on a small CPU, and a model's session is a
    /// constant that does not depend on how many inputs pass it.</remarks>
    public static async Task<MemoryMeasurement> MeasureMemoryAsync(BenchOptions options, int images, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        var manifest = BenchJob.SelectModel(options);
        var settings = options.Settings;
        var dataset = DatasetFactory.Open(options.Data);
        string tmp = Path.Combine(Path.GetTempPath(), "robustcrop-bench-memory-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(tmp);
        try
        {
            var info = OnnxSessionFactory.Validate(manifest.OnnxPath, manifest.InputSize, ModelIo.Of(manifest), manifest.Id);
            long dim = ModelLoader.DeclaredOutputDim(info, manifest.OutputName)
                ?? throw new ZooException($"model {manifest.Id}: the memory bench needs a fixed output size");
            using var model = Model(manifest, (int)dim, DeviceSpec.Parse(options.Device));
            var pipeline = new PipelineOptions { DecodeThreads = options.DecodeThreads };
            var runner = ShardRunner.Evaluate([model], settings, pipeline, new ShardFiles(new LocalFolderStore(tmp), new RunLayout("bench-memory")), "bench");
            long inputs = 0;
            foreach (var shard in dataset.PlanShards(settings.ShardSize))
            {
                if (inputs >= images) break;
                int take = (int)Math.Min(shard.Count < 0 ? int.MaxValue : shard.Count, images - inputs);
                var result = (await runner.RunAsync(shard, dataset.ReadShard(shard).Take(take), "bench", null, ct)).Result;
                inputs += result.Inputs;
            }
            using var self = Process.GetCurrentProcess();
            return new MemoryMeasurement(inputs, self.PeakWorkingSet64);
        }
        finally
        {
            Directory.Delete(tmp, recursive: true);
        }
    }
}
