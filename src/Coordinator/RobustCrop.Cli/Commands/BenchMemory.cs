using System.Diagnostics;
using System.Globalization;
using RobustCrop.Core.Data;
using RobustCrop.Core.Models;
using RobustCrop.Core.Results;
using RobustCrop.Core.Settings;
using RobustCrop.IO.Data;
using RobustCrop.IO.Results;
using RobustCrop.IO.Storage;
using RobustCrop.Worker.Inference;
using RobustCrop.Worker.Pipeline;
using RobustCrop.Worker.Sinks;

namespace RobustCrop.Cli.Commands;

/// <summary>
/// The worker's peak working set as a function of the dataset's size (<c>bench --images 100,1000</c>): per size a fresh
/// process runs what a worker runs — shards read as a stream, evaluated, written to Parquet and dropped, one after another
/// — and reports its VmHWM, which no process can reset, hence one process per size.
/// </summary>
/// <remarks>
/// The child runs the near-zero-cost <see cref="FeedModel"/> with the real model's preprocessing and head: what grows
/// with the data (inputs in flight, rows, writers) is the same, a 35-crop-per-image ResNet18 run of 1,000 inputs would
/// take minutes on a small CPU, and a model's session is a constant that does not depend on how many inputs pass it.
/// </remarks>
internal static class BenchMemory
{
    public const string Option = "--measure-memory";
    private const string Prefix = "memory ";

    public sealed record Measured(int Images, long Inputs, long PeakBytes);

    /// <summary>The parent: the same bench arguments, in a child that measures <paramref name="images"/> inputs.</summary>
    public static async Task<Measured> InChildAsync(int images, IEnumerable<string> benchArgs, CancellationToken ct)
    {
        var f = (await SelfProcess.RunForLineAsync(["bench", Option, images.ToString(CultureInfo.InvariantCulture), .. benchArgs], Prefix, ct)).Split(' ');
        return new Measured(images, long.Parse(f[0], CultureInfo.InvariantCulture), long.Parse(f[1], CultureInfo.InvariantCulture));
    }

    /// <summary>The child: streams <paramref name="images"/> inputs through the worker's path and prints one line.</summary>
    public static async Task<int> MeasureAsync(ModelManifest manifest, RunSettings settings, IImageDataset dataset, int images, DeviceSpec device,
        PipelineOptions pipeline, TextWriter output, CancellationToken ct)
    {
        string tmp = Path.Combine(Path.GetTempPath(), "robustcrop-bench-memory-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(tmp);
        try
        {
            var info = OnnxSessionFactory.Validate(manifest.OnnxPath, manifest.InputSize, ModelIo.Of(manifest), manifest.Id);
            long dim = ModelLoader.DeclaredOutputDim(info, manifest.OutputName)
                ?? throw new ZooException($"model {manifest.Id}: the memory bench needs a fixed output size");
            using var model = FeedModel.Load(manifest, (int)dim, device);
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
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Prefix}{inputs} {self.PeakWorkingSet64}"));
            return 0;
        }
        finally
        {
            Directory.Delete(tmp, recursive: true);
        }
    }
}
