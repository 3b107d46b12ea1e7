using RobustCrop.Core.Data;
using RobustCrop.Core.Motion;
using RobustCrop.Core.Results;
using RobustCrop.Core.Rics;
using RobustCrop.Core.Settings;
using RobustCrop.IO.Results;
using RobustCrop.IO.Storage;
using static RobustCrop.Worker.Tests.Pipeline.PipelineHarness;

namespace RobustCrop.Worker.Tests.Pipeline;

/// <summary>
/// nn_changed under motion end to end (DESIGN §4b): a shard evaluated with kept embeddings, its crops, rics and motion
/// files written as a run writes them, and the aggregator's nearest-neighbour pass over them. <c>subpixel:1</c> must give
/// the integer 1-px shift's nn_changed_1px exactly, for the plain model and for each RICS mode.
/// </summary>
public sealed class MotionNearestNeighbourTests : IDisposable
{
    private const int Crop = 16;
    private const int Window = 3;
    private const int Resize = Crop + 2 * ((Window - 1) / 2 + 1) + 2;

    private readonly string _root = Path.Combine(Path.GetTempPath(), "robustcrop-motion-nn-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly RunLayout _layout = new("r");

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task Subpixel_1_gives_the_integer_shift_nn_changed_exactly_for_the_model_and_each_rics_mode()
    {
        // A 4-d embedding: few directions, so 1-px shifts do change some nearest neighbours and the equality is not 0 = 0.
        using var model = Model(TinyModels.RandomProjection(Crop, 4, seed: 41), "proj", Crop, Resize, kind: Core.Models.OutputKind.Embedding);
        var settings = new RunSettings(new RunId("r"))
        {
            WindowK = 1,
            KeepEmbeddings = true,
            Rics = RicsSelection.Of([Window], [RicsScore.Hash], cyclic: false, modes: [RicsMode.Select, RicsMode.Soft(2)]),
            Motion = [new MotionSpec(MotionKind.Subpixel, 1), new MotionSpec(MotionKind.Subpixel, 0.5)],
        };
        // Ramps with a little noise: a 1-px shift moves each embedding a little, so only the images near a tie between two
        // neighbours change theirs (noise images would change every one: 1 = 1 tells nothing).
        var random = new Random(42);
        var sources = Enumerable.Range(0, 40).Select(i => new ImageRecord($"noise/{i:D4}", null, null, Ramp(2 * Resize + 7, 2 * Resize + 1 + i % 5, random)));
        var result = Run(model, settings, sources);
        Assert.Empty(result.Errors);
        var (store, done) = await WriteAsync(result);

        var plain = await NearestNeighbourPass.ComputeAsync(store, _layout, done, "run", null, default);
        var rics = await NearestNeighbourPass.ComputeRicsAsync(store, _layout, done, "run", null, default);
        var motion = await NearestNeighbourPass.ComputeMotionAsync(store, _layout, done, "run", null, default);

        double expected = plain[("proj", "noise")].Rate!.Value;
        Assert.InRange(expected, 0.01, 0.99);
        Assert.Equal(expected, motion[new("proj", "noise", "subpixel:1", null, 0, "")]);
        foreach (string mode in new[] { "select", "soft2" })
        {
            double ricsRate = rics[("proj", "noise", Window, "hash", mode)]!.Value;
            Assert.Equal(ricsRate, motion[new("proj", "noise", "subpixel:1", "hash", Window, mode)]);
        }
        Assert.InRange(rics[("proj", "noise", Window, "hash", "select")]!.Value, 0.01, 0.99);
        // The half-pixel views are searched too: a rate, not a missing value.
        Assert.NotNull(motion[new("proj", "noise", "subpixel:0.5", null, 0, "")]);
        Assert.NotNull(motion[new("proj", "noise", "subpixel:0.5", "hash", Window, "soft2")]);
        // The aggregator's one read of the crops and rics files gives the very same rates.
        var all = await NearestNeighbourPass.ComputeAllAsync(store, _layout, done, "run", null, withMotion: true, default);
        Assert.Equal(plain, all.Plain);
        Assert.Equal(rics, all.Rics);
        Assert.Equal(motion, all.Motion);
    }

    [Fact]
    public async Task Without_kept_embeddings_motion_has_no_nn_changed()
    {
        using var model = Model(TinyModels.RandomProjection(Crop, 4, seed: 43), "proj", Crop, Resize, kind: Core.Models.OutputKind.Embedding);
        var settings = new RunSettings(new RunId("r")) { WindowK = 0, Motion = [new MotionSpec(MotionKind.Subpixel, 1)] };
        var result = Run(model, settings, NoiseRecords(4, 2 * Resize, 2 * Resize, seed: 44));
        Assert.All(result.Motion["proj"], m => Assert.Null(m.Embeddings));
        var (store, done) = await WriteAsync(result);

        Assert.Empty(await NearestNeighbourPass.ComputeMotionAsync(store, _layout, done, "run", null, default));
    }

    private static Core.Imaging.RgbImage Ramp(int width, int height, Random random)
    {
        var image = new Core.Imaging.RgbImage(width, height);
        var (b, ax, ay) = (new double[3], new double[3], new double[3]);
        for (int c = 0; c < 3; c++) (b[c], ax[c], ay[c]) = (40 + 170 * random.NextDouble(), 4 * random.NextDouble() - 2, 4 * random.NextDouble() - 2);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                for (int c = 0; c < 3; c++)
                    image.Pixels[3 * (y * width + x) + c] = (byte)Math.Clamp(b[c] + ax[c] * (x - width / 2) + ay[c] * (y - height / 2) + random.Next(-6, 7), 0, 255);
        return image;
    }

    private async Task<(LocalFolderStore Store, HashSet<string> Done)> WriteAsync(ShardResult result)
    {
        Directory.CreateDirectory(_root);
        var store = new LocalFolderStore(_root);
        var done = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (m, rows) in result.Crops)
            await Write(store, done, _layout.CropsPart(m, 0), m, rows, r => r.Model);
        foreach (var (m, rows) in result.Rics)
            await Write(store, done, _layout.RicsPart(m, 0), m, rows, r => r.Model);
        foreach (var (m, rows) in result.Motion)
            await Write(store, done, _layout.MotionPart(m, 0), m, rows, r => r.Model);
        return (store, done);
    }

    private static async Task Write<TRow>(LocalFolderStore store, HashSet<string> done, string path, string model, List<TRow> rows, Func<TRow, string> modelOf)
        where TRow : class
    {
        await store.WriteAsync(path, s => ResultParquet.WritePartitionRowsAsync(s, model, rows, modelOf));
        done.Add(path);
    }
}
