using RobustCrop.Core.Geometry;
using RobustCrop.Core.Imaging;
using RobustCrop.Core.Rics;

namespace RobustCrop.Core.Tests.Rics;

/// <summary>The smooth RICS scores (dog, blob): known answers, content only, and the block field against a slow reference.</summary>
public sealed class SmoothScoreFieldTests
{
    private const int Crop = 48;

    private static RgbImage Noise(int w, int h, int seed)
    {
        var img = new RgbImage(w, h);
        new Random(seed).NextBytes(img.Pixels);
        return img;
    }

    /// <summary>Low-passed noise: photo-like structure at a few pixels, where a smooth field has real peaks and near-ties.</summary>
    private static RgbImage SmoothNoise(int w, int h, int seed)
    {
        var raw = Noise(w, h, seed);
        var img = new RgbImage(w, h);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w * 3; x++)
            {
                int sum = 0, count = 0;
                for (int dy = -2; dy <= 2; dy++)
                    for (int dx = -2; dx <= 2; dx++)
                    {
                        int yy = y + dy, xx = x / 3 + dx;
                        if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
                        sum += raw.ReadOnlyRow(yy)[3 * xx + x % 3];
                        count++;
                    }
                img.Row(y)[x] = (byte)(sum / count);
            }
        return img;
    }

    private static void Field(RicsScore score, RgbImage scene, int x0, int y0, int w, int h, int n, Span<float> field)
    {
        if (score == RicsScore.Blob) BlobScoreField.Compute(scene, x0, y0, w, h, Crop, n, field);
        else DogScoreField.Compute(scene, x0, y0, w, h, Crop, n, field);
    }

    [Theory]
    [InlineData(9, 5, 3)]
    [InlineData(9, -4, 2)]
    [InlineData(15, 3, -6)]
    public void Blob_field_peaks_at_the_centre_of_a_blob_of_the_windows_scale(int n, int bdx, int bdy)
    {
        // One bright Gaussian blob (σ = n/4, the scale the twice-applied DoG at n/6 answers most) on grey, its centre
        // (bdx, bdy) from the centre of the crop at (20, 20). The block's candidate whose crop centre is the blob's
        // centre, top-left (20 + bdx, 20 + bdy), is the field's maximum: by hand, centre = top-left + C/2.
        var scene = new RgbImage(120, 120);
        double bx = 20 + Crop / 2 + bdx, by = 20 + Crop / 2 + bdy, s = n / 4.0;
        for (int y = 0; y < 120; y++)
            for (int x = 0; x < 120; x++)
            {
                byte v = (byte)Math.Round(60 + 180 * Math.Exp(-((x - bx) * (x - bx) + (y - by) * (y - by)) / (2 * s * s)));
                scene.Row(y)[3 * x] = scene.Row(y)[3 * x + 1] = scene.Row(y)[3 * x + 2] = v;
            }
        int side = 2 * 8 + 1;
        var field = new float[side * side];
        BlobScoreField.Compute(scene, 20 - 8, 20 - 8, side, side, Crop, n, field);
        int best = Array.IndexOf(field, field.Max());
        Assert.Equal((8 + bdx, 8 + bdy), (best % side, best / side));

        var sel = new RicsSelector(scene, new CropPosition(20, 20), Crop, 15, 1, seed: 1);
        var c = sel.Select(15, RicsScore.Blob, Shift.Zero)!.Value;
        Assert.Equal(new CropPosition(20 + bdx, 20 + bdy), c.Position);
        Assert.False(c.OnBorder);
    }

    [Theory]
    [InlineData(RicsScore.Dog, 1, 0)]
    [InlineData(RicsScore.Dog, -1, 1)]
    [InlineData(RicsScore.Blob, 1, 0)]
    [InlineData(RicsScore.Blob, 0, -1)]
    [InlineData(RicsScore.Blob, -1, 1)]
    public void A_scene_moved_by_an_integer_pixel_gives_the_same_crop_the_bit_identical_score(RicsScore score, int dx, int dy)
    {
        // The moved scene is the same pixels one step over: its crop at p − Δ is the crop at p of the original.
        var scene = SmoothNoise(100, 100, 5);
        var moved = new RgbImage(100, 100);
        for (int y = 0; y < 100; y++)
            for (int x = 0; x < 100; x++)
            {
                int sx = Math.Clamp(x + dx, 0, 99), sy = Math.Clamp(y + dy, 0, 99);
                scene.ReadOnlyRow(sy).Slice(3 * sx, 3).CopyTo(moved.Row(y).Slice(3 * x, 3));
            }
        const int side = 11;
        var a = new float[side * side];
        var b = new float[side * side];
        Field(score, scene, 20, 20, side, side, 9, a);
        Field(score, moved, 20 - dx, 20 - dy, side, side, 9, b);
        Assert.Equal(a, b);
        // Not a trivially flat field: the check compares real, differing values.
        Assert.True(a.Distinct().Count() > side * side / 2);
    }

    [Theory]
    [InlineData(RicsScore.Dog)]
    [InlineData(RicsScore.Blob)]
    public void A_constant_image_gives_a_flat_field_and_every_frame_picks_a_crop_of_that_content(RicsScore score)
    {
        var scene = new RgbImage(80, 80);
        scene.Pixels.AsSpan().Fill(137);
        const int side = 11;
        var field = new float[side * side];
        Field(score, scene, 10, 10, side, side, 9, field);
        Assert.All(field, v => Assert.Equal(field[0], v));
        // A flat field leaves the choice to the tie rule (hash, then pixels): content only, so every frame of the same
        // (constant) content resolves the same way — the first candidate in scan order, the window's top-left.
        var sel = new RicsSelector(scene, new CropPosition(15, 15), Crop, 9, 1, seed: 1);
        foreach (var f in ShiftSets.N1.Prepend(Shift.Zero))
            Assert.Equal(new CropPosition(15 + f.Dx - 4, 15 + f.Dy - 4), sel.Select(9, score, f)!.Value.Position);
    }

    [Theory]
    [InlineData(RicsScore.Dog, 9)]
    [InlineData(RicsScore.Blob, 9)]
    [InlineData(RicsScore.Blob, 15)]
    [InlineData(RicsScore.Blob, 255)] // the support is cut to the crop: (C − 1)/2
    public void The_field_over_all_candidates_equals_each_candidates_score_from_its_own_crop(RicsScore score, int n)
    {
        var scene = SmoothNoise(90, 90, 9);
        const int x0 = 14, y0 = 17, w = 9, h = 7;
        var field = new float[w * h];
        Field(score, scene, x0, y0, w, h, n, field);
        for (int j = 0; j < h; j++)
            for (int i = 0; i < w; i++)
            {
                double reference = Reference(score, CropOf(scene, x0 + i, y0 + j), n);
                Assert.True(Math.Abs(reference - field[j * w + i]) < 1e-3 * (1 + Math.Abs(reference)),
                    $"candidate ({i},{j}): field {field[j * w + i]}, reference {reference}");
            }
    }

    [Fact]
    public void The_dog_score_is_unchanged_by_the_shared_engine()
    {
        // dog's numbers in earlier runs stay valid: the field equals, bit for bit, the code it had before the engine.
        var scene = SmoothNoise(100, 100, 2);
        foreach (int n in new[] { 1, 3, 9, 31 })
        {
            var now = new float[13 * 12];
            DogScoreField.Compute(scene, 12, 11, 13, 12, Crop, n, now);
            Assert.Equal(PreviousDog(scene, 12, 11, 13, 12, Crop, n), now);
        }
    }

    [Fact]
    public void All_names_every_realistic_score_and_a_bad_name_lists_them()
    {
        Assert.Equal([RicsScore.Hash, RicsScore.Dog, RicsScore.Blob, RicsScore.Hessian], RicsScores.ParseOneOrAll(" ALL "));
        Assert.Equal([RicsScore.Blob], RicsScores.ParseOneOrAll("blob"));
        Assert.Equal("blob", RicsScores.Name(RicsScore.Blob));
        Assert.True(RicsScores.IsRealistic(RicsScore.Blob));
        var e = Assert.Throws<ArgumentException>(() => RicsScores.ParseOneOrAll("best"));
        Assert.Equal("RICS score 'best' is not one of: hash, dog, blob, hessian, all", e.Message);
    }

    private static RgbImage CropOf(RgbImage scene, int x, int y)
    {
        var crop = new RgbImage(Crop, Crop);
        for (int r = 0; r < Crop; r++) scene.ReadOnlyRow(y + r).Slice(3 * x, 3 * Crop).CopyTo(crop.Row(r));
        return crop;
    }

    /// <summary>The score from the crop alone, as the definition reads: Σ weight · 2-D Gaussian (over the radius of the widest σ) at its centre.</summary>
    private static double Reference(RicsScore score, RgbImage crop, int n)
    {
        double[] sigmas;
        double[] weights;
        if (score == RicsScore.Blob)
        {
            double s = Math.Max(1.0, n / 6.0);
            (sigmas, weights) = ([Math.Sqrt(2) * s, Math.Sqrt(1 + 1.6 * 1.6) * s, 1.6 * Math.Sqrt(2) * s], [1, -2, 1]);
        }
        else
        {
            double s = Math.Max(1.0, n / 4.0);
            (sigmas, weights) = ([s, 1.6 * s], [1, -1]);
        }
        int radius = Math.Min((int)Math.Ceiling(3 * sigmas.Max()), (Crop - 1) / 2);
        int c = Crop / 2;
        double total = 0;
        for (int t = 0; t < sigmas.Length; t++)
        {
            double norm = 0, acc = 0;
            for (int i = -radius; i <= radius; i++) norm += Math.Exp(-i * i / (2 * sigmas[t] * sigmas[t]));
            for (int dy = -radius; dy <= radius; dy++)
                for (int dx = -radius; dx <= radius; dx++)
                {
                    var px = crop.ReadOnlyRow(c + dy).Slice(3 * (c + dx), 3);
                    double lum = 0.299 * px[0] + 0.587 * px[1] + 0.114 * px[2];
                    acc += Math.Exp(-(dx * dx + dy * dy) / (2 * sigmas[t] * sigmas[t])) * lum;
                }
            total += weights[t] * acc / (norm * norm);
        }
        return total;
    }

    // The DoG field as it was computed before the shared engine (kept verbatim as the reference for dog's numbers).
    private static float[] PreviousDog(RgbImage scene, int x0, int y0, int width, int height, int cropSize, int window)
    {
        double s1 = DogScoreField.SigmaFor(window), s2 = 1.6 * s1;
        int radius = (int)Math.Ceiling(3 * s2);
        if (2 * radius + 1 > cropSize) radius = (cropSize - 1) / 2;
        int cx0 = x0 + cropSize / 2, cy0 = y0 + cropSize / 2;
        int lx0 = cx0 - radius, ly0 = cy0 - radius, lw = width + 2 * radius, lh = height + 2 * radius;
        var lum = new float[lw * lh];
        for (int y = 0; y < lh; y++)
        {
            ReadOnlySpan<byte> row = scene.ReadOnlyRow(ly0 + y);
            for (int x = 0; x < lw; x++)
            {
                int p = 3 * (lx0 + x);
                lum[y * lw + x] = 0.299f * row[p] + 0.587f * row[p + 1] + 0.114f * row[p + 2];
            }
        }
        var a = BlurAtCentres(lum, lw, lh, width, height, Kernel(s1, radius));
        var b = BlurAtCentres(lum, lw, lh, width, height, Kernel(s2, radius));
        var field = new float[width * height];
        for (int i = 0; i < width * height; i++) field[i] = a[i] - b[i];
        return field;
    }

    private static float[] Kernel(double sigma, int radius)
    {
        var k = new float[2 * radius + 1];
        double sum = 0;
        for (int i = -radius; i <= radius; i++) sum += k[i + radius] = (float)Math.Exp(-i * i / (2 * sigma * sigma));
        for (int i = 0; i < k.Length; i++) k[i] = (float)(k[i] / sum);
        return k;
    }

    private static float[] BlurAtCentres(float[] lum, int lw, int lh, int side, int height, float[] k)
    {
        var h = new float[lh * side];
        for (int y = 0; y < lh; y++)
            for (int x = 0; x < side; x++)
            {
                float acc = 0;
                for (int t = 0; t < k.Length; t++) acc += k[t] * lum[y * lw + x + t];
                h[y * side + x] = acc;
            }
        var v = new float[side * height];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < side; x++)
            {
                float acc = 0;
                for (int t = 0; t < k.Length; t++) acc += k[t] * h[(y + t) * side + x];
                v[y * side + x] = acc;
            }
        return v;
    }
}
