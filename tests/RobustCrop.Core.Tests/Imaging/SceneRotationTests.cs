using RobustCrop.Core.Imaging;

namespace RobustCrop.Core.Tests.Imaging;

/// <summary>
/// The tabulated rotation against its first version (<see cref="SceneRotationReference"/>: Pillow's taps computed exactly
/// per pixel, one tap and one channel at a time): the table rounds each sample point to 1/256 source pixel, so a byte may
/// move by a level or two where the content is steep, and no further; and angle 0 is the resize.
/// </summary>
public sealed class SceneRotationTests
{
    private static RgbImage Random(int w, int h, int seed)
    {
        var img = new RgbImage(w, h);
        new Random(seed).NextBytes(img.Pixels);
        return img;
    }

    // A photo-like source: smooth gradients and a few hard edges, where the per-pixel noise of Random is the worst case.
    private static RgbImage Smooth(int w, int h)
    {
        var img = new RgbImage(w, h);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int c = 0; c < 3; c++)
                    img.Row(y)[x * 3 + c] = (byte)(((x * 7 + y * 3 + c * 40) % 256) / 2 + (((x / 37) + (y / 23)) % 2) * 100);
        return img;
    }

    // Where a point's taps reach past the source edge, Pillow's normalisation over the clipped taps is itself unstable (a
    // bicubic sliver of negative lobe can flip or blow up the sum), for the exact taps as for the table: those pixels, at
    // most a few at the scene's corners for small angles and far from any crop, are compared only for their count.
    [Theory]
    [InlineData(Interpolation.Bilinear, 512, 512, 256, 256, 1.0)]
    [InlineData(Interpolation.Bilinear, 451, 300, 384, 256, -0.5)]
    [InlineData(Interpolation.Bicubic, 451, 300, 384, 256, 1.0)]
    [InlineData(Interpolation.Bilinear, 28, 28, 256, 256, 1.0)]
    [InlineData(Interpolation.Bicubic, 28, 28, 256, 256, -3.0)]
    [InlineData(Interpolation.Bilinear, 300, 256, 300, 256, 30.0)]
    [InlineData(Interpolation.Nearest, 451, 300, 384, 256, 1.0)]
    public void The_tabulated_rotation_is_within_two_levels_of_the_exact_taps(Interpolation interp, int w, int h, int outW, int outH, double degrees)
    {
        double rad = degrees * Math.PI / 180, cos = Math.Cos(rad), sin = Math.Sin(rad);
        double ax = (double)w / outW, ay = (double)h / outH, reach = (interp == Interpolation.Bicubic ? 2 : 1) * Math.Max(Math.Max(ax, ay), 1) + 1;
        foreach (var (src, meanBound) in new[] { (Random(w, h, w * h), 0.25), (Smooth(w, h), 0.1) })
        {
            var fast = SceneRotation.Render(src, outW, outH, interp, degrees, outW / 2.0, outH / 2.0);
            var exact = SceneRotationReference.Render(src, outW, outH, interp, degrees, outW / 2.0, outH / 2.0);
            int worst = 0, inside = 0, total = 0;
            for (int v = 0; v < outH; v++)
                for (int u = 0; u < outW; u++)
                {
                    double px = u + 0.5 - outW / 2.0, py = v + 0.5 - outH / 2.0;
                    double cx = (u + (cos - 1) * px + sin * py + 0.5) * ax, cy = (v - sin * px + (cos - 1) * py + 0.5) * ay;
                    if (cx < reach || cx > w - reach || cy < reach || cy > h - reach) continue;
                    inside++;
                    for (int c = 0; c < 3; c++)
                    {
                        int d = Math.Abs(fast.ReadOnlyRow(v)[u * 3 + c] - exact.ReadOnlyRow(v)[u * 3 + c]);
                        worst = Math.Max(worst, d);
                        total += d;
                    }
                }
            Assert.True(inside > outW * outH / 2, $"only {inside} pixels inside");
            Assert.True(worst <= 2, $"a byte moved by {worst} levels");
            Assert.True(total <= meanBound * inside * 3, $"mean difference {(double)total / (inside * 3):F3} levels");
        }
    }

    [Theory]
    [InlineData(Interpolation.Bilinear)]
    [InlineData(Interpolation.Bicubic)]
    [InlineData(Interpolation.Nearest)]
    public void Angle_0_is_the_resize_byte_for_byte(Interpolation interp)
    {
        var src = Random(451, 300, 11);
        Assert.Equal(SceneResizerReference.Resize(src, 384, 256, interp).Pixels, SceneRotation.Render(src, 384, 256, interp, 0, 192, 128).Pixels);
    }

    // At a dyadic scale every sample point of a quarter turn lies on the table's grid: the exact taps, byte for byte.
    [Fact]
    public void A_quarter_turn_at_a_dyadic_scale_equals_the_exact_taps()
    {
        var src = Random(128, 128, 5);
        Assert.Equal(SceneRotationReference.Render(src, 64, 64, Interpolation.Bilinear, 90, 32, 32).Pixels,
            SceneRotation.Render(src, 64, 64, Interpolation.Bilinear, 90, 32, 32).Pixels);
    }
}
