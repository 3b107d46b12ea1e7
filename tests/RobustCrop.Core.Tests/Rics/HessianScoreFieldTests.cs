using RobustCrop.Core.Geometry;
using RobustCrop.Core.Imaging;
using RobustCrop.Core.Rics;

namespace RobustCrop.Core.Tests.Rics;

/// <summary>The hessian RICS score: known answers for blobs and edges, translation covariance, content only, the peak rule.</summary>
public sealed class HessianScoreFieldTests
{
    private const int Crop = 48;

    /// <summary>Grey 60 plus Gaussian blobs (centre x, centre y, σ, height) and an optional bright vertical line at column lineX.</summary>
    private static RgbImage Scene(int size, (double X, double Y, double Sigma, double Height)[] blobs, int lineX = -1)
    {
        var scene = new RgbImage(size, size);
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                double v = 60 + (x == lineX ? 150 : 0);
                foreach (var b in blobs) v += b.Height * Math.Exp(-((x - b.X) * (x - b.X) + (y - b.Y) * (y - b.Y)) / (2 * b.Sigma * b.Sigma));
                scene.Row(y)[3 * x] = scene.Row(y)[3 * x + 1] = scene.Row(y)[3 * x + 2] = (byte)Math.Round(Math.Min(255, v));
            }
        return scene;
    }

    private static RgbImage SmoothNoise(int size, int seed)
    {
        var raw = new byte[size * size];
        new Random(seed).NextBytes(raw);
        var scene = new RgbImage(size, size);
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                int sum = 0, count = 0;
                for (int dy = -2; dy <= 2; dy++)
                    for (int dx = -2; dx <= 2; dx++)
                        if (y + dy is >= 0 and var yy && yy < size && x + dx is >= 0 and var xx && xx < size) { sum += raw[yy * size + xx]; count++; }
                scene.Row(y)[3 * x] = scene.Row(y)[3 * x + 1] = scene.Row(y)[3 * x + 2] = (byte)(sum / count);
            }
        return scene;
    }

    [Theory]
    [InlineData(9, 3, -2)]
    [InlineData(9, -2, 1)]
    [InlineData(15, 5, 4)]
    public void The_field_and_the_choice_sit_on_a_blob_at_a_known_interior_place(int n, int bdx, int bdy)
    {
        // One blob of the window's scale centred (bdx, bdy) from the centre of the crop at (20, 20): the candidate whose
        // crop centre is the blob's centre, top-left (20 + bdx, 20 + bdy) (centre = top-left + C/2), is the field's maximum.
        var scene = Scene(120, [(20 + Crop / 2 + bdx, 20 + Crop / 2 + bdy, n / 3.0, 150)]);
        int half = (n - 1) / 2, side = n;
        var field = new float[side * side];
        HessianScoreField.Compute(scene, 20 - half, 20 - half, side, side, Crop, n, field);
        int best = Array.IndexOf(field, field.Max());
        Assert.Equal((half + bdx, half + bdy), (best % side, best / side));

        var c = new RicsSelector(scene, new CropPosition(20, 20), Crop, n, 1, seed: 1).Select(n, RicsScore.Hessian, Shift.Zero)!.Value;
        Assert.Equal((new CropPosition(20 + bdx, 20 + bdy), false), (c.Position, c.OnBorder));
    }

    [Fact]
    public void A_straight_line_gives_almost_no_response_where_a_blob_gives_a_strong_one()
    {
        // Along a straight line one curvature vanishes, so the determinant does too: no crest whose flat top would make
        // the choice along it a coin toss. (The DoG scores answer the line about as strongly as the blob.)
        const int side = 9;
        var line = new float[side * side];
        var blob = new float[side * side];
        HessianScoreField.Compute(Scene(120, [], lineX: 20 + Crop / 2), 16, 16, side, side, Crop, 9, line);
        HessianScoreField.Compute(Scene(120, [(20 + Crop / 2, 20 + Crop / 2, 3, 150)]), 16, 16, side, side, Crop, 9, blob);
        float strongest = blob.Max();
        Assert.True(strongest > 1);
        Assert.All(line, v => Assert.True(Math.Abs(v) < 1e-3 * strongest, $"line response {v} against blob {strongest}"));
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(0, -1)]
    [InlineData(-1, 1)]
    public void Moving_the_scene_by_one_pixel_moves_the_field_by_one_candidate_exactly(int dx, int dy)
    {
        var scene = SmoothNoise(110, 3);
        var moved = new RgbImage(110, 110);
        for (int y = 0; y < 110; y++)
            for (int x = 0; x < 110; x++)
                scene.ReadOnlyRow(Math.Clamp(y + dy, 0, 109)).Slice(3 * Math.Clamp(x + dx, 0, 109), 3).CopyTo(moved.Row(y).Slice(3 * x, 3));
        const int side = 11;
        var a = new float[side * side];
        var b = new float[side * side];
        HessianScoreField.Compute(scene, 22, 22, side, side, Crop, 9, a);
        HessianScoreField.Compute(moved, 22 - dx, 22 - dy, side, side, Crop, 9, b);
        Assert.Equal(a, b);
        Assert.True(a.Distinct().Count() > side * side / 2);
        // And so the selection: every frame of the moved scene picks the same scene crop, one step over.
        var sa = new RicsSelector(scene, new CropPosition(26, 26), Crop, 9, 1, seed: 1);
        var sb = new RicsSelector(moved, new CropPosition(26 - dx, 26 - dy), Crop, 9, 1, seed: 1);
        foreach (var f in ShiftSets.N1.Prepend(Shift.Zero))
        {
            var pa = sa.Select(9, RicsScore.Hessian, f)!.Value.Position;
            Assert.Equal(new CropPosition(pa.X - dx, pa.Y - dy), sb.Select(9, RicsScore.Hessian, f)!.Value.Position);
        }
    }

    [Fact]
    public void The_field_equals_each_candidates_score_from_its_own_crop()
    {
        var scene = SmoothNoise(90, 11);
        const int x0 = 14, y0 = 17, w = 7, h = 6, n = 9;
        var field = new float[w * h];
        HessianScoreField.Compute(scene, x0, y0, w, h, Crop, n, field);
        for (int j = 0; j < h; j++)
            for (int i = 0; i < w; i++)
            {
                double reference = Reference(scene, x0 + i, y0 + j, n);
                Assert.True(Math.Abs(reference - field[j * w + i]) < 1e-3 * (1 + Math.Abs(reference)),
                    $"candidate ({i},{j}): field {field[j * w + i]}, reference {reference}");
            }
    }

    [Fact]
    public void The_choice_is_the_best_peak_of_the_field_in_the_window_and_the_rule_matters()
    {
        // Brute force from the field alone: the strict maxima over the 5×5 block around each of the window's candidates, the
        // highest of them (the window's highest when it holds none). On photo-like noise the window's highest candidate is
        // often a flank on the edge, not a peak: there the rule must pick differently from a plain arg-max.
        const int n = 9, half = 4, r = HessianScoreField.PeakReach;
        Assert.Equal(2, r);
        int differs = 0;
        for (int seed = 0; seed < 12; seed++)
        {
            var scene = SmoothNoise(100, 20 + seed);
            var sel = new RicsSelector(scene, new CropPosition(26, 26), Crop, n, 1, seed: 1);
            foreach (var f in ShiftSets.N1.Prepend(Shift.Zero))
            {
                int wx0 = 26 + f.Dx - half - r, wy0 = 26 + f.Dy - half - r, side = n + 2 * r;
                var field = new float[side * side];
                HessianScoreField.Compute(scene, wx0, wy0, side, side, Crop, n, field);
                int best = -1, bestPeak = -1;
                for (int y = r; y < n + r; y++)
                    for (int x = r; x < n + r; x++)
                    {
                        int i = y * side + x;
                        bool peak = true;
                        for (int dy = -r; dy <= r; dy++)
                            for (int dx = -r; dx <= r; dx++)
                                if ((dx, dy) != (0, 0) && field[i + dy * side + dx] >= field[i]) peak = false;
                        if (best < 0 || field[i] > field[best]) best = i;
                        if (peak && (bestPeak < 0 || field[i] > field[bestPeak])) bestPeak = i;
                    }
                int expected = bestPeak >= 0 ? bestPeak : best;
                if (expected != best) differs++;
                var c = sel.Select(n, RicsScore.Hessian, f)!.Value;
                Assert.Equal(new CropPosition(wx0 + expected % side, wy0 + expected / side), c.Position);
            }
        }
        Assert.True(differs > 0);
    }

    /// <summary>σ⁴(Lxx·Lyy − Lxy²) at the crop's centre from the crop alone, in doubles: a 2-D Gaussian over the radius less one,
    /// then central differences (second: 1, −2, 1; mixed: ±¼ at the diagonals).</summary>
    private static double Reference(RgbImage scene, int x, int y, int n)
    {
        double sigma = HessianScoreField.SigmaFor(n);
        int r = HessianScoreField.Radius(n, Crop) - 1, c = Crop / 2;
        double Lum(int px, int py)
        {
            var p = scene.ReadOnlyRow(y + py).Slice(3 * (x + px), 3);
            return 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
        }
        double norm = 0;
        for (int i = -r; i <= r; i++) norm += Math.Exp(-i * i / (2 * sigma * sigma));
        double Smooth(int px, int py)
        {
            double acc = 0;
            for (int dy = -r; dy <= r; dy++)
                for (int dx = -r; dx <= r; dx++)
                    acc += Math.Exp(-(dx * dx + dy * dy) / (2 * sigma * sigma)) * Lum(px + dx, py + dy);
            return acc / (norm * norm);
        }
        double lxx = Smooth(c - 1, c) - 2 * Smooth(c, c) + Smooth(c + 1, c);
        double lyy = Smooth(c, c - 1) - 2 * Smooth(c, c) + Smooth(c, c + 1);
        double lxy = (Smooth(c + 1, c + 1) - Smooth(c - 1, c + 1) - Smooth(c + 1, c - 1) + Smooth(c - 1, c - 1)) / 4;
        return Math.Pow(sigma, 4) * (lxx * lyy - lxy * lxy);
    }
}
