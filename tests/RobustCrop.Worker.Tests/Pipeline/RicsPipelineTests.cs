using RobustCrop.Core.Data;
using RobustCrop.Core.Imaging;
using RobustCrop.Core.Planning;
using RobustCrop.Core.Rics;
using RobustCrop.Core.Settings;
using static RobustCrop.Worker.Tests.Pipeline.PipelineHarness;

namespace RobustCrop.Worker.Tests.Pipeline;

/// <summary>
/// RICS end to end: with a hash score every candidate's score is an independent draw, so the chance that a frame and its
/// 1-px shift select the same scene crop is |A∩B|/|A∪B| of their candidate blocks (DESIGN §5), i.e. the expected N1
/// consistency is exactly <see cref="RicsScores.N1Bound"/>. A random projection with many classes turns (almost) every
/// change of crop into a change of class.
/// </summary>
[Trait("Category", "Slow")]
public class RicsPipelineTests
{
    private const int Crop = 16;
    private const int MaxWindow = 9;
    private const int Resize = Crop + 2 * ((MaxWindow - 1) / 2 + 1);
    private const int Images = 150;

    [Fact]
    public void Hash_rics_mean_consistency_matches_the_N1_bound()
    {
        using var model = Model(TinyModels.RandomProjection(Crop, 256, seed: 21), "proj", Crop, Resize);
        var settings = new RunSettings(new RunId("r")) { WindowK = 1, Rics = RicsSelection.Of([3, MaxWindow], [RicsScore.Hash], cyclic: false) };
        var result = Run(model, settings, NoiseRecords(Images, Resize, Resize, seed: 22));

        Assert.Empty(result.Errors);
        foreach (int n in new[] { 3, MaxWindow })
        {
            var rows = result.Rics["proj"].Where(r => r.Window == n && r.Score == "hash").ToList();
            Assert.Equal(Images, rows.Count);
            Assert.All(rows, r => Assert.Equal((9, 8), (r.Frames, r.Shifts1px)));
            var c = rows.Select(r => r.Consistency1px!.Value).ToArray();
            double mean = c.Average();
            double sd = Math.Sqrt(c.Sum(x => (x - mean) * (x - mean)) / (c.Length - 1));
            double se = sd / Math.Sqrt(c.Length);
            double bound = RicsScores.N1Bound(n);
            // 4 standard errors of the per-image mean (≈ 0.02-0.03 here): a false alarm has probability < 1e-4,
            // while a selector that followed the frame (consistency ≈ standard) or ignored shifts (1.0) is far outside.
            Assert.True(Math.Abs(mean - bound) <= 4 * se, $"n={n}: measured {mean:F4} vs bound {bound:F4} (se {se:F4})");
            Assert.True(se < 0.04, $"n={n}: se {se}");
        }
        // The standard (non-RICS) prediction of this model changes with every shift.
        Assert.All(result.Images["proj"], r => Assert.True(r.Consistency1px < 0.5));
    }

    [Fact]
    public void Cyclic_rics_is_fully_consistent()
    {
        using var model = Model(TinyModels.RandomProjection(Crop, 256, seed: 23), "proj", Crop, Resize);
        var settings = new RunSettings(new RunId("r")) { WindowK = 1, Rics = RicsSelection.Of([], [RicsScore.Hash], cyclic: true) };
        var result = Run(model, settings, NoiseRecords(30, Resize, Resize, seed: 24));

        var rows = result.Rics["proj"];
        Assert.Equal(30, rows.Count);
        Assert.All(rows, r =>
        {
            Assert.Equal(RicsScores.Name(RicsScore.Cyclic), r.Score);
            Assert.Equal(Crop, r.Window);
            Assert.Equal(8, r.Shifts1px);
            Assert.Equal(1.0, r.Consistency1px);
            Assert.False(r.Fooled1px);
        });
        // Without RICS the same model is fooled by cyclic shifts on every image.
        Assert.All(result.Images["proj"], r => Assert.True(r.CyclicFooled1px));
    }

    [Fact]
    public void On_scenes_periodic_with_the_crop_cyclic_rics_keeps_every_answer_under_realistic_shifts_too()
    {
        // Tile a random C×C pattern: a realistic shift then only rolls the crop, so the canonicalised model sees the very
        // same image (consistency 100%, cosine 1), while the plain model, blind to nothing, is fooled on every scene.
        using var model = Model(TinyModels.RandomProjection(Crop, 256, seed: 27), "proj", Crop, Resize);
        var settings = new RunSettings(new RunId("r")) { WindowK = 1, Rics = RicsSelection.Of([], [RicsScore.Hash], cyclic: true) };
        var random = new Random(28);
        var records = Enumerable.Range(0, 20)
            .Select(i => new ImageRecord($"tiled/{i:D2}", null, null, Tiled(Noise(Crop, Crop, random), Resize))).ToList();
        var result = Run(model, settings, records);

        var rows = result.Rics["proj"];
        Assert.Equal(20, rows.Count);
        Assert.All(rows, r =>
        {
            Assert.Equal(8, r.RealisticShifts1px);
            Assert.Equal(1.0, r.RealisticConsistency1px);
            Assert.False(r.RealisticFooled1px);
            Assert.Equal(1.0, r.RealisticCosine1pxMin);
            Assert.False(r.RealisticChanged1px);
        });
        Assert.All(result.Images["proj"], r => Assert.True(r.Fooled1px));
    }

    [Fact]
    public void On_noise_scenes_cyclic_rics_is_fooled_by_realistic_shifts_though_never_by_cyclic_ones()
    {
        // A realistic shift brings a column of new noise in: the canonical image changes and the projection's answer with it.
        using var model = Model(TinyModels.RandomProjection(Crop, 256, seed: 29), "proj", Crop, Resize);
        var settings = new RunSettings(new RunId("r")) { WindowK = 1, Rics = RicsSelection.Of([], [RicsScore.Hash], cyclic: true) };
        var result = Run(model, settings, NoiseRecords(20, Resize, Resize, seed: 30));

        Assert.All(result.Rics["proj"], r =>
        {
            Assert.Equal(1.0, r.Consistency1px);
            Assert.Equal(8, r.RealisticShifts1px);
            Assert.True(r.RealisticFooled1px);
            Assert.True(r.RealisticConsistency1px < 1.0);
            Assert.True(r.RealisticCosine1pxMin < 1.0);
        });
    }

    private static RgbImage Tiled(RgbImage tile, int size)
    {
        var scene = new RgbImage(size, size);
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
                tile.ReadOnlyRow(y % tile.Height).Slice(3 * (x % tile.Width), 3).CopyTo(scene.Row(y)[(3 * x)..]);
        return scene;
    }

    [Fact]
    public void Hash_rics_on_the_window_frames_gives_fooled_window_that_contains_the_one_pixel_verdict()
    {
        // W2 frames need one more pixel of room on each side than N1.
        const int resize = Crop + 2 * ((5 - 1) / 2 + 2);
        using var model = Model(TinyModels.RandomProjection(Crop, 256, seed: 25), "proj", Crop, resize);
        var settings = new RunSettings(new RunId("r")) { WindowK = 2, Rics = RicsSelection.Of([5], [RicsScore.Hash], cyclic: false, windowFrames: true) };
        var result = Run(model, settings, NoiseRecords(40, resize, resize, seed: 26));

        var rows = result.Rics["proj"];
        Assert.Equal(40, rows.Count);
        Assert.All(rows, r =>
        {
            Assert.Equal((25, 8, 24, 2), (r.Frames, r.Shifts1px, r.WindowShifts, r.WindowK));
            // W2 holds N1: a frame fooled by a 1-px shift is fooled within the window too.
            if (r.Fooled1px == true) Assert.True(r.FooledWindow);
        });
        // With a 5x5 window most 2-px shifts move the choice: the window verdict is fooled far more often than N1's.
        Assert.True(rows.Count(r => r.FooledWindow == true) > rows.Count(r => r.Fooled1px == true));
    }
}
