using System.Globalization;
using RobustCrop.Core.Results;
using RobustCrop.Core.Rics;
using RobustCrop.Core.Settings;
using RobustCrop.IO.Results;
using RobustCrop.IO.Storage;

namespace RobustCrop.Coordinator.Analysis;

/// <summary>The shape of a synthetic run for <c>bench-aggregate</c>.</summary>
/// <param name="ImageRows">Image rows in all (inputs × models).</param>
/// <param name="InputsPerShard">Inputs per shard: a LAION WebDataset tar holds about 10,000; 5,000 × 2 models gives
/// 10,000 image rows per shard.</param>
/// <param name="CropsPerImage">Crop rows per image row: the base crop and its four one-pixel shifts.</param>
/// <param name="ErrorsPerShard">Error rows per shard (undecodable inputs).</param>
public sealed record AggregateBenchRun(long ImageRows, int Models = 2, int InputsPerShard = 5_000, int CropsPerImage = 5, int ErrorsPerShard = 5)
{
    public long Inputs => ImageRows / Models;

    public int Shards => checked((int)((Inputs + InputsPerShard - 1) / InputsPerShard));

    public IReadOnlyList<string> ModelNames => Enumerable.Range(0, Models).Select(m => $"bench-model-{m}").ToList();
}

/// <summary>
/// Writes a synthetic finished run in the real layout (images, rics, crops and errors Parquet through
/// <see cref="ResultParquet"/>, a manifest per shard, the stored plan, _SUCCESS) so the aggregation can be timed on a run of
/// any size without models or data. Each image row has two rics rows (hash n = 9 and cyclic, the sample job's settings).
/// </summary>
public static class AggregateBench
{
    public const string RunId = "bench-aggregate";
    public const string Dataset = "photos";
    private const double Tau = 0.99;

    /// <summary>Writes the run under <paramref name="root"/>/<see cref="RunId"/>, shards in parallel over the cores.</summary>
    public static async Task SynthesizeAsync(string root, AggregateBenchRun run, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(run);
        var store = new LocalFolderStore(root);
        var layout = new RunLayout(RunId);
        var models = run.ModelNames;
        var plan = new RunPlan("synthetic", Dataset, run.InputsPerShard, 0, [.. models], Tau, 0, "hash:9,cyclic", false, 40_000_000,
            run.Shards, run.Inputs);
        await store.WriteTextAsync(layout.Plan, RunStateIo.Serialize(plan), ct).ConfigureAwait(false);
        await Parallel.ForEachAsync(Enumerable.Range(0, run.Shards),
            new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = ct },
            async (shard, token) => await WriteShardAsync(store, layout, run, models, shard, token).ConfigureAwait(false)).ConfigureAwait(false);
        await store.WriteTextAsync(layout.Success, "", ct).ConfigureAwait(false);
    }

    /// <summary>The run's distinct inputs, which the summary must count.</summary>
    public static long ExpectedImages(AggregateBenchRun run) => run.Inputs;

    private static async Task WriteShardAsync(IResultStore store, RunLayout layout, AggregateBenchRun run, IReadOnlyList<string> models,
        int shard, CancellationToken ct)
    {
        long first = (long)shard * run.InputsPerShard;
        int inputs = (int)Math.Min(run.InputsPerShard, run.Inputs - first);
        var files = new List<ManifestFile>();
        foreach (var model in models)
        {
            var meta = new Dictionary<string, string>
            {
                [ResultMetadataKeys.RunId] = RunId,
                [ResultMetadataKeys.Dataset] = Dataset,
                [ResultMetadataKeys.Device] = "cpu",
                [RunAggregator.TauMetadataKey] = Tau.ToString("R", CultureInfo.InvariantCulture),
            };
            var images = new List<ImageRow>(inputs);
            var rics = new List<RicsRow>(inputs * 2);
            var crops = new List<CropRow>(inputs * run.CropsPerImage);
            for (int i = 0; i < inputs; i++)
            {
                long id = first + i;
                var image = Image(shard, id, model);
                images.Add(image);
                rics.Add(Rics(image, id, 9, "hash"));
                rics.Add(Rics(image, id, 4, RicsScores.Name(RicsScore.Cyclic)));
                for (int c = 0; c < run.CropsPerImage; c++) crops.Add(Crop(image, c));
            }
            files.Add(await WriteAsync(store, layout.ImagesPart(model, shard), images.Count,
                s => ResultParquet.WritePartitionRowsAsync(s, model, images, r => r.Model, meta, ct), ct).ConfigureAwait(false));
            files.Add(await WriteAsync(store, layout.RicsPart(model, shard), rics.Count,
                s => ResultParquet.WritePartitionRowsAsync(s, model, rics, r => r.Model, meta, ct), ct).ConfigureAwait(false));
            files.Add(await WriteAsync(store, layout.CropsPart(model, shard), crops.Count,
                s => ResultParquet.WritePartitionRowsAsync(s, model, crops, r => r.Model, meta, ct), ct).ConfigureAwait(false));
        }
        var errors = Enumerable.Range(0, run.ErrorsPerShard)
            .Select(e => new ErrorRow(RunId, shard, $"{Dataset}/{shard:D5}/broken-{e}.jpg", "decode", "synthetic: not an image")).ToList();
        files.Add(await WriteAsync(store, layout.ErrorsPart(shard), errors.Count, s => ResultParquet.WriteErrorRowsAsync(s, errors, null, ct), ct)
            .ConfigureAwait(false));
        var now = DateTimeOffset.UtcNow;
        await store.WriteTextAsync(layout.ShardManifest(shard), ShardManifestIo.Serialize(new ShardManifest(
            RunId, shard, $"synthetic inputs {first}..{first + inputs - 1}", inputs, errors.Count, files, "bench", "bench", null,
            [.. models], now, now)), ct).ConfigureAwait(false);
    }

    private static async Task<ManifestFile> WriteAsync(IResultStore store, string path, int rows, Func<Stream, Task> write, CancellationToken ct)
    {
        await store.WriteAsync(path, write, ct).ConfigureAwait(false);
        // The aggregation trusts the manifest and never checks hashes, so none is computed here.
        return new ManifestFile(path, rows, 0, "0000000000000000");
    }

    // Values vary with the input so that means, rates and the cosine sketch have real work (many distinct cosines).
    private static ImageRow Image(int shard, long id, string model)
    {
        int h = (int)((id * 2654435761L) & 0x7fffffff);
        bool measured = h % 50 != 0;
        double cosine = measured ? 1 - (h % 100_000) * 1e-6 - (h % 7) * 1e-3 : 1;
        bool fooled = h % 9 == 0;
        return new ImageRow(RunId, shard, $"{Dataset}/{shard:D5}/{id:D9}.jpg", null, model, 640, 480, 341, 256, 13,
            h % 1000, "class", 0.5f, null, measured ? 4 : 0, measured ? (fooled ? 0.75 : 1.0) : null, measured ? fooled : null,
            0, 0, null, cosine, measured && cosine < Tau, 4, 1.0, false, 1, false);
    }

    // The cyclic row also carries its realistic-shift columns (rics_cyclic.realistic), as evaluate writes them.
    private static RicsRow Rics(ImageRow r, long id, int window, string score)
    {
        var row = new RicsRow(RunId, r.Shard, r.ImageKey, null, r.Model, window, score, r.Prediction, r.PredictionLabel, r.Confidence, null,
            (int)(id % window) - window / 2, 0, 5, (int)(id % 3), r.Shifts1px, r.Consistency1px, r.Fooled1px, r.Cosine1pxMin, r.Changed1px);
        return score != RicsScores.Name(RicsScore.Cyclic) ? row : row with
        {
            RealisticShifts1px = r.Shifts1px, RealisticConsistency1px = r.Consistency1px, RealisticFooled1px = r.Fooled1px,
            RealisticCosine1pxMin = r.Cosine1pxMin, RealisticChanged1px = r.Changed1px,
        };
    }

    private static CropRow Crop(ImageRow r, int c)
        => new(RunId, r.Shard, r.ImageKey, r.Model, CropKinds.Realistic, 42 + (c == 1 ? 1 : c == 2 ? -1 : 0), 0,
            c == 1 ? 1 : c == 2 ? -1 : 0, c == 3 ? 1 : c == 4 ? -1 : 0, r.Prediction, r.PredictionLabel, r.Confidence, (float)r.Cosine1pxMin, null);
}
