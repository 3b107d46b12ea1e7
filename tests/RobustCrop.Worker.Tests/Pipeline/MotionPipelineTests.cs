using RobustCrop.Core.Data;
using RobustCrop.Core.Motion;
using RobustCrop.Core.Rics;
using RobustCrop.Core.Settings;
using static RobustCrop.Worker.Tests.Pipeline.PipelineHarness;

namespace RobustCrop.Worker.Tests.Pipeline;

/// <summary>
/// Camera motion end to end (DESIGN §4b) with a real (tiny) ONNX model whose classes change with almost any change of
/// crop: <c>subpixel:1</c> must reproduce the integer 1-px shift's per-image metrics bit for bit, for the plain model and
/// for hash RICS, and the identity motions must give the base.
/// </summary>
public class MotionPipelineTests
{
    private const int Crop = 16;
    private const int Window = 3;
    // Room for the RICS window around every N1 frame, plus one spare pixel so no candidate reads the re-rendered edge.
    private const int Resize = Crop + 2 * ((Window - 1) / 2 + 1) + 2;

    // Sources larger than the scene and not square, so the resize both downscales and leaves a longer side.
    private static List<ImageRecord> Sources(int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(i => new ImageRecord($"noise/{i:D4}", null, null, Noise(2 * Resize + 7, 2 * Resize + 1 + i % 5, random)))];
    }

    [Fact]
    public void Subpixel_1_gives_the_integer_shift_metrics_bit_for_bit()
    {
        using var model = Model(TinyModels.RandomProjection(Crop, 64, seed: 31), "proj", Crop, Resize);
        var settings = new RunSettings(new RunId("r"))
        {
            WindowK = 1,
            Rics = RicsSelection.Of([Window], [RicsScore.Hash], cyclic: false),
            Motion = [new MotionSpec(MotionKind.Subpixel, 1)],
        };
        var result = Run(model, settings, Sources(24, 32));

        Assert.Empty(result.Errors);
        var images = result.Images["proj"].ToDictionary(r => r.ImageKey);
        var rics = result.Rics["proj"].ToDictionary(r => r.ImageKey);
        var motion = result.Motion["proj"];
        Assert.Equal(2 * 24, motion.Count);
        foreach (var m in motion)
        {
            Assert.Equal(("subpixel:1", "subpixel", 1.0, 8), (m.Motion, m.Kind, m.Amount, m.Views));
            if (m.Score is null)
            {
                var i = images[m.ImageKey];
                Assert.Equal((i.Consistency1px, i.Fooled1px, i.Cosine1pxMin, i.Changed1px), (m.Consistency, m.Fooled, m.CosineMin, m.Changed));
            }
            else
            {
                var r = rics[m.ImageKey];
                Assert.Equal(("hash", Window, "select"), (m.Score, m.Window, m.Mode));
                Assert.Equal((r.Consistency1px, r.Fooled1px, r.Cosine1pxMin, r.Changed1px), (m.Consistency, m.Fooled, m.CosineMin, m.Changed));
                Assert.InRange(m.SelectionKept!.Value, 0, 1);
            }
        }
        // The model is far from stable, so the equality above compares real changes, not eight times "same".
        Assert.Contains(motion, m => m.Score is null && m.Fooled == true);
    }

    [Fact]
    public void Subpixel_1_gives_the_integer_shift_metrics_of_the_combining_modes_bit_for_bit()
    {
        using var model = Model(TinyModels.RandomProjection(Crop, 64, seed: 37), "proj", Crop, Resize);
        var settings = new RunSettings(new RunId("r"))
        {
            WindowK = 1,
            Rics = RicsSelection.Of([Window], [RicsScore.Hash], cyclic: false, modes: [RicsMode.Select, RicsMode.Soft(2), RicsMode.MeanAll]),
            Motion = [new MotionSpec(MotionKind.Subpixel, 1)],
        };
        var result = Run(model, settings, Sources(24, 38));

        Assert.Empty(result.Errors);
        var rics = result.Rics["proj"].ToDictionary(r => (r.ImageKey, r.Mode));
        var motion = result.Motion["proj"].Where(m => m.Score is not null).ToList();
        Assert.Equal(3 * 24, motion.Count);
        foreach (var m in motion)
        {
            var r = rics[(m.ImageKey, m.Mode!)];
            Assert.Equal((r.Consistency1px, r.Fooled1px, r.Cosine1pxMin, r.Changed1px), (m.Consistency, m.Fooled, m.CosineMin, m.Changed));
            // A mode has no single choice on the border; mean-all's members are the whole window, which a 1-px move changes.
            if (m.Mode != "select") Assert.Null(m.BorderRate);
            if (m.Mode == "mean-all") Assert.Equal(0.0, m.SelectionKept);
        }
        // The modes move less than select but not nothing: the equality compares real changes.
        Assert.Contains(motion, m => m.Mode == "soft2" && m.CosineMin < 0.99999);
    }

    [Fact]
    public void Under_half_pixel_motion_mean_all_keeps_its_member_set()
    {
        // Every candidate of a half-pixel moved window lies within half a pixel of one of the base window's, one to one.
        using var model = Model(TinyModels.RandomProjection(Crop, 64, seed: 39), "proj", Crop, Resize);
        var settings = new RunSettings(new RunId("r"))
        {
            WindowK = 0,
            Rics = RicsSelection.Of([Window], [RicsScore.Hash], cyclic: false, modes: [RicsMode.MeanAll]),
            Motion = [new MotionSpec(MotionKind.Subpixel, 0.5)],
        };
        var result = Run(model, settings, Sources(6, 40));

        var rows = result.Motion["proj"].Where(m => m.Score is not null).ToList();
        Assert.Equal(6, rows.Count);
        Assert.All(rows, m => Assert.Equal(("mean-all", 8, 1.0), (m.Mode, m.Views, m.SelectionKept)));
    }

    [Theory]
    [InlineData("rotate:0", 2)]
    [InlineData("zoom:1", 2)]
    [InlineData("noise:0", 1)]
    public void An_identity_motion_gives_the_base(string spec, int views)
    {
        using var model = Model(TinyModels.RandomProjection(Crop, 64, seed: 33), "proj", Crop, Resize);
        var settings = new RunSettings(new RunId("r"))
        {
            WindowK = 0,
            Rics = RicsSelection.Of([Window], [RicsScore.Hash], cyclic: false),
            Motion = [MotionSpec.Parse(spec)],
        };
        var result = Run(model, settings, Sources(8, 34));

        Assert.Equal(16, result.Motion["proj"].Count);
        Assert.All(result.Motion["proj"], m =>
        {
            Assert.Equal(views, m.Views);
            Assert.Equal((1.0, false, false), (m.Consistency, m.Fooled, m.Changed));
            Assert.InRange(m.CosineMin, 1 - 1e-6, 1);
            if (m.Score is not null) Assert.Equal(1.0, m.SelectionKept);
        });
    }

    [Fact]
    public void Half_pixel_rotation_and_jpeg_views_are_measured_and_move_the_model()
    {
        using var model = Model(TinyModels.RandomProjection(Crop, 64, seed: 35), "proj", Crop, Resize);
        var settings = new RunSettings(new RunId("r"))
        {
            WindowK = 0,
            Motion = MotionSpec.ParseList("subpixel:0.5,rotate:3,zoom:1.1,jpeg:50,noise:8"),
        };
        var result = Run(model, settings, Sources(6, 36));

        var rows = result.Motion["proj"];
        Assert.Equal(5 * 6, rows.Count);
        Assert.Equal([8, 2, 2, 9, 1], rows.Take(5).Select(r => r.Views));
        // Every crop inferred, the moved views' included, is accounted for in the images rows.
        Assert.Equal(result.CropsInferred, result.Images["proj"].Sum(r => (long)r.CropsInferred));
        // Every one of these really moves the pixels: some output changes on some image.
        foreach (var kind in new[] { "subpixel", "rotate", "zoom", "jpeg", "noise" })
            Assert.Contains(rows, r => r.Kind == kind && r.CosineMin < 0.9999);
    }
}
