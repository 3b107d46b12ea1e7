using RobustCrop.Core.Data;
using RobustCrop.Core.Geometry;
using RobustCrop.Core.Imaging;
using RobustCrop.Core.Models;
using RobustCrop.Core.Results;
using RobustCrop.Core.Rics;
using RobustCrop.Core.Settings;
using static RobustCrop.Worker.Tests.Pipeline.PipelineHarness;

namespace RobustCrop.Worker.Tests.Pipeline;

/// <summary>
/// The representation modes of RICS (DESIGN §5b) end to end, on a model whose output is the crop's mean colour, so every
/// mode's answer can be computed by hand from the scene's pixels: the weighted mean of its candidates' normalised colours.
/// </summary>
public class RicsModePipelineTests
{
    private const int Crop = 8;
    private const int Window = 5;
    private const int Half = (Window - 1) / 2;
    private const int Resize = Crop + 2 * (Half + 1) + 2;
    private static readonly RicsMode[] Modes = [RicsMode.Select, RicsMode.Soft(2), RicsMode.Soft(4), RicsMode.Block(2), RicsMode.Rook(4), RicsMode.MeanAll];

    private static RunSettings Settings(params RicsMode[] modes) => new(new RunId("r"))
    {
        WindowK = 1,
        KeepEmbeddings = true,
        Rics = RicsSelection.Of([Window], [RicsScore.Hash], cyclic: false, modes: modes),
    };

    /// <summary>The model's normalised output on the crop at (x, y), by hand: per-channel mean of (p/255 − 0.5)/0.25, unit length.</summary>
    private static double[] Colour(RgbImage scene, int x, int y)
    {
        var sum = new double[3];
        for (int r = 0; r < Crop; r++)
            for (int c = 0; c < Crop; c++)
                for (int ch = 0; ch < 3; ch++)
                    sum[ch] += (scene.Pixels[((y + r) * scene.Width + x + c) * 3 + ch] / 255.0 - 0.5) / 0.25;
        return Unit(sum);
    }

    private static double[] Unit(double[] v)
    {
        double norm = Math.Sqrt(v.Sum(x => x * x));
        return v.Select(x => x / norm).ToArray();
    }

    /// <summary>The hand-computed combination of the frame whose standard crop is at (cx, cy): the candidates and weights of
    /// the mode's definition, read off the hashes of the exact pixels.</summary>
    private static double[] Expected(RgbImage scene, RicsMode mode, int cx, int cy)
    {
        var candidates = new List<(int X, int Y, double W)>();
        ulong threshold = RicsCombination.Threshold(mode.K, Window);
        for (int y = cy - Half; y <= cy + Half; y++)
            for (int x = cx - Half; x <= cx + Half; x++)
            {
                ulong hash = WindowHashField.HashOf(scene, x, y, Crop, RicsSelection.DefaultSeed);
                double w = mode.Kind switch
                {
                    RicsModeKind.MeanAll => 1,
                    RicsModeKind.Block when x - cx is 0 or 1 && y - cy is 0 or 1 => 1, // block2: offsets 0 and 1, no hash
                    RicsModeKind.Rook when (x - cx, y - cy) is (-1, 0) or (0, 2) or (1, -1) or (2, 1) => 1, // rook4: one per row and column
                    RicsModeKind.Soft when hash >= threshold => (Half + 1 - Math.Abs(x - cx)) * (Half + 1 - Math.Abs(y - cy)),
                    _ => 0,
                };
                if (w > 0) candidates.Add((x, y, w));
            }
        if (candidates.Count == 0) // select, or a soft frame without a member: the best hash
        {
            var best = Enumerable.Range(0, Window * Window).Select(i => (X: cx - Half + i % Window, Y: cy - Half + i / Window))
                .MaxBy(p => WindowHashField.HashOf(scene, p.X, p.Y, Crop, RicsSelection.DefaultSeed));
            candidates.Add((best.X, best.Y, 1));
        }
        double total = candidates.Sum(c => c.W);
        var mean = new double[3];
        foreach (var (x, y, w) in candidates)
        {
            var colour = Colour(scene, x, y);
            for (int ch = 0; ch < 3; ch++) mean[ch] += w / total * colour[ch];
        }
        return Unit(mean);
    }

    private static void AssertClose(double[] expected, float[] actual, int offset = 0)
    {
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[offset + i], 1e-5); // float32 outputs
    }

    [Fact]
    public void Each_mode_embeds_the_weighted_mean_of_its_candidates_colours()
    {
        using var model = Model(TinyModels.MeanColour(Crop), "mean", Crop, Resize, kind: OutputKind.Embedding, norm: Centred);
        var records = NoiseRecords(6, Resize, Resize, seed: 31);
        var result = Run(model, Settings(Modes), records);
        var g = new SceneGeometry(Resize, Resize, Resize, Crop);

        Assert.Empty(result.Errors);
        foreach (var record in records)
        {
            foreach (var mode in Modes)
            {
                var row = Assert.Single(result.Rics["mean"], r => r.ImageKey == record.Key && r.Mode == mode.Name);
                AssertClose(Expected(record.Raw!, mode, g.BaseX, g.BaseY), row.Embedding!);
                // Every 1-px frame too, in N1 order.
                for (int i = 0; i < ShiftSets.N1.Length; i++)
                    AssertClose(Expected(record.Raw!, mode, g.BaseX + ShiftSets.N1[i].Dx, g.BaseY + ShiftSets.N1[i].Dy), row.Embeddings1px!, 3 * i);
            }
            Assert.Equal(Window * Window, result.Rics["mean"].Single(r => r.ImageKey == record.Key && r.Mode == "mean-all").ForwardsPerFrame);
            Assert.Equal(1, result.Rics["mean"].Single(r => r.ImageKey == record.Key && r.Mode == "select").ForwardsPerFrame);
            Assert.Equal(4, result.Rics["mean"].Single(r => r.ImageKey == record.Key && r.Mode == "block2").ForwardsPerFrame);
            Assert.Equal(4, result.Rics["mean"].Single(r => r.ImageKey == record.Key && r.Mode == "rook4").ForwardsPerFrame);
        }
    }

    [Fact]
    public void A_constant_image_gives_identical_embeddings_in_every_mode_and_cosine_1()
    {
        using var model = Model(TinyModels.MeanColour(Crop), "mean", Crop, Resize, kind: OutputKind.Embedding, norm: Centred);
        var record = new ImageRecord("constant", null, null, Constant(Resize, Resize, 200, 30, 90));
        var result = Run(model, Settings(Modes), [record]);

        var rows = result.Rics["mean"];
        Assert.Equal(Modes.Select(m => m.Name), rows.Select(r => r.Mode));
        var colour = Unit([(200 / 255.0 - 0.5) / 0.25, (30 / 255.0 - 0.5) / 0.25, (90 / 255.0 - 0.5) / 0.25]);
        Assert.All(rows, r =>
        {
            AssertClose(colour, r.Embedding!);
            Assert.Equal(8, r.Shifts1px);
            Assert.Equal(1.0, r.Cosine1pxMin, 6);
            Assert.False(r.Changed1px);
        });
    }

    [Fact]
    public void Mean_all_on_a_one_pixel_shift_differs_from_the_base_by_the_swapped_column()
    {
        var (scene, g, row) = RunOne(RicsMode.MeanAll, seed: 32);

        // Base: the mean over the window. Shift by (+1, 0): the column at dx = −h leaves, the one at dx = h + 1 enters,
        // and nothing else changes: sum' = sum + Σ entering − Σ leaving (hand-computed, then normalised).
        var sum = new double[3];
        for (int dy = -Half; dy <= Half; dy++)
            for (int dx = -Half; dx <= Half; dx++)
                Add(sum, Colour(scene, g.BaseX + dx, g.BaseY + dy), 1);
        AssertClose(Unit(sum), row.Embedding!);
        var shifted = (double[])sum.Clone();
        for (int dy = -Half; dy <= Half; dy++)
        {
            Add(shifted, Colour(scene, g.BaseX + Half + 1, g.BaseY + dy), 1);
            Add(shifted, Colour(scene, g.BaseX - Half, g.BaseY + dy), -1);
        }
        int right = Array.IndexOf(ShiftSets.N1.ToArray(), new Shift(1, 0));
        AssertClose(Unit(shifted), row.Embeddings1px!, 3 * right);
        double cosine = Unit(sum).Zip(Unit(shifted), (a, b) => a * b).Sum();
        Assert.True(row.Cosine1pxMin <= cosine + 1e-6, $"cosine_1px_min {row.Cosine1pxMin} above the (+1,0) frame's {cosine}");
    }

    [Fact]
    public void Block2_on_a_one_pixel_shift_differs_from_the_base_by_the_two_crops_swapped()
    {
        var (scene, g, row) = RunOne(RicsMode.Block(2), seed: 33);
        int x = g.BaseX, y = g.BaseY;

        // Base: the four crops at offsets {0, 1}². Shift by (+1, 0): the crops at (x, y) and (x, y + 1) leave, (x + 2, y)
        // and (x + 2, y + 1) enter, the column x + 1 stays: sum' = sum + entering − leaving (hand-computed, then normalised).
        var sum = new double[3];
        foreach (var (dx, dy) in new[] { (0, 0), (1, 0), (0, 1), (1, 1) }) Add(sum, Colour(scene, x + dx, y + dy), 1);
        AssertClose(Unit(sum), row.Embedding!);
        var shifted = (double[])sum.Clone();
        Add(shifted, Colour(scene, x + 2, y), 1);
        Add(shifted, Colour(scene, x + 2, y + 1), 1);
        Add(shifted, Colour(scene, x, y), -1);
        Add(shifted, Colour(scene, x, y + 1), -1);
        int right = Array.IndexOf(ShiftSets.N1.ToArray(), new Shift(1, 0));
        AssertClose(Unit(shifted), row.Embeddings1px!, 3 * right);
        Assert.Equal(4, row.ForwardsPerFrame);
        double cosine = Unit(sum).Zip(Unit(shifted), (a, b) => a * b).Sum();
        Assert.True(row.Cosine1pxMin <= cosine + 1e-6, $"cosine_1px_min {row.Cosine1pxMin} above the (+1,0) frame's {cosine}");
    }

    [Fact]
    public void Rook4_on_a_one_pixel_shift_is_the_mean_of_its_four_crops_each_moved_one_pixel()
    {
        var (scene, g, row) = RunOne(RicsMode.Rook(4), seed: 34);
        int x = g.BaseX, y = g.BaseY;

        // Base: the crops at (−1, 0), (0, 2), (1, −1), (2, 1), one per row and column. Shift by (0, +1): all four move down
        // one row (no crop is shared; the rows are −1..2 before and 0..3 after), the columns stay.
        (int Dx, int Dy)[] rook = [(-1, 0), (0, 2), (1, -1), (2, 1)];
        var sum = new double[3];
        var down = new double[3];
        foreach (var (dx, dy) in rook)
        {
            Add(sum, Colour(scene, x + dx, y + dy), 1);
            Add(down, Colour(scene, x + dx, y + dy + 1), 1);
        }
        AssertClose(Unit(sum), row.Embedding!);
        int below = Array.IndexOf(ShiftSets.N1.ToArray(), new Shift(0, 1));
        AssertClose(Unit(down), row.Embeddings1px!, 3 * below);
        Assert.Equal(4, row.ForwardsPerFrame);
    }

    /// <summary>One noise scene through the mean-colour model under one mode: the scene, its geometry and its one rics row.</summary>
    private static (RgbImage Scene, SceneGeometry Geometry, RicsRow Row) RunOne(RicsMode mode, int seed)
    {
        using var model = Model(TinyModels.MeanColour(Crop), "mean", Crop, Resize, kind: OutputKind.Embedding, norm: Centred);
        var record = NoiseRecords(1, Resize, Resize, seed: seed)[0];
        var result = Run(model, Settings(mode), [record]);
        return (record.Raw!, new SceneGeometry(Resize, Resize, Resize, Crop), Assert.Single(result.Rics["mean"]));
    }

    private static void Add(double[] into, double[] v, double sign)
    {
        for (int i = 0; i < into.Length; i++) into[i] += sign * v[i];
    }
}
