using RobustCrop.Core.Geometry;
using RobustCrop.Core.Imaging;
using RobustCrop.Core.Motion;

namespace RobustCrop.Core.Tests.Motion;

public sealed class MotionRenderingTests
{
    private static RgbImage Random(int w, int h, int seed)
    {
        var img = new RgbImage(w, h);
        new Random(seed).NextBytes(img.Pixels);
        return img;
    }

    private static RgbImage Ramp(int w, int h, Func<int, int, byte> value)
    {
        var img = new RgbImage(w, h);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int c = 0; c < 3; c++) img.Row(y)[x * 3 + c] = value(x, y);
        return img;
    }

    private static byte At(RgbImage img, int x, int y, int c = 0) => img.ReadOnlyRow(y)[x * 3 + c];

    // subpixel:1 must be the integer shift: pixel i of the grid offset by d is computed as pixel i + d of the plain grid.
    [Theory]
    [InlineData(Interpolation.Bilinear, 451, 300, 384, 256)]
    [InlineData(Interpolation.Bicubic, 451, 300, 384, 256)]
    [InlineData(Interpolation.Nearest, 451, 300, 384, 256)]
    [InlineData(Interpolation.Bilinear, 28, 28, 256, 256)]
    [InlineData(Interpolation.Bicubic, 256, 300, 256, 300)]
    public void An_offset_of_one_pixel_gives_the_plain_scene_shifted_by_one_pixel_exactly(Interpolation interp, int w, int h, int outW, int outH)
    {
        var src = Random(w, h, w + h);
        var scene = SceneResizer.Resize(src, outW, outH, interp);
        foreach (var d in ShiftSets.N1)
        {
            var moved = SceneResizer.Render(src, outW, outH, interp, d.Dx, d.Dy);
            for (int y = Math.Max(0, -d.Dy); y < outH - Math.Max(0, d.Dy); y++)
            {
                var got = moved.ReadOnlyRow(y).Slice(Math.Max(0, -d.Dx) * 3, (outW - Math.Abs(d.Dx)) * 3);
                var want = scene.ReadOnlyRow(y + d.Dy).Slice(Math.Max(0, d.Dx) * 3, (outW - Math.Abs(d.Dx)) * 3);
                Assert.True(got.SequenceEqual(want), $"{interp} shift {d}: row {y} differs");
            }
        }
    }

    [Theory]
    [InlineData(Interpolation.Bilinear)]
    [InlineData(Interpolation.Bicubic)]
    [InlineData(Interpolation.Nearest)]
    public void An_offset_of_zero_is_the_resize_byte_for_byte(Interpolation interp)
    {
        var src = Random(640, 427, 7);
        Assert.Equal(SceneResizerReference.Resize(src, 383, 256, interp).Pixels, SceneResizer.Render(src, 383, 256, interp, 0, 0).Pixels);
        Assert.Equal(SceneResizerReference.Resize(src, 383, 256, interp).Pixels, SceneResizer.Render(src, 383, 256, interp, 0, 0, 1.0).Pixels);
    }

    // A ramp of 4 grey levels a pixel at the scene's own size: bilinear taps 0.75·v(x) + 0.25·v(x+1) for δ = 0.25, so
    // pixel x reads 4x + 1; δ = 0.5 reads 4x + 2 (both exact in Pillow's 22-bit weights).
    [Theory]
    [InlineData(0.25, 1)]
    [InlineData(0.5, 2)]
    [InlineData(0.75, 3)]
    public void A_ramp_at_scene_size_shifts_by_the_offset(double delta, int expectedGain)
    {
        var src = Ramp(64, 40, (x, _) => (byte)(4 * x));
        var moved = SceneResizer.Render(src, 64, 40, Interpolation.Bilinear, delta, 0);
        for (int x = 0; x < 63; x++) Assert.Equal(4 * x + expectedGain, At(moved, x, 17));
        var vertical = SceneResizer.Render(Ramp(40, 64, (_, y) => (byte)(4 * y)), 40, 64, Interpolation.Bilinear, 0, -delta);
        for (int y = 1; y < 64; y++) Assert.Equal(4 * y - expectedGain, At(vertical, 9, y));
    }

    // Downscaled by 2 (antialiased: the bilinear kernel spans 4 source pixels, weights 1/8, 3/8, 3/8, 1/8): a source ramp
    // of 2 levels a pixel gives scene pixel x the value 2·(2x + 0.5) = 4x + 1, and the grid offset by half a scene pixel
    // centres the taps one source pixel further: 4x + 3, the scene ramp (4 levels a scene pixel) moved by 0.5.
    [Fact]
    public void A_downscaled_ramp_shifts_by_half_a_scene_pixel()
    {
        var src = Ramp(128, 16, (x, _) => (byte)(2 * x));
        var plain = SceneResizer.Render(src, 64, 8, Interpolation.Bilinear, 0, 0);
        var moved = SceneResizer.Render(src, 64, 8, Interpolation.Bilinear, 0.5, 0);
        for (int x = 1; x < 62; x++)
        {
            Assert.Equal(4 * x + 1, At(plain, x, 3));
            Assert.Equal(4 * x + 3, At(moved, x, 3));
        }
    }

    [Theory]
    [InlineData(Interpolation.Bilinear)]
    [InlineData(Interpolation.Bicubic)]
    [InlineData(Interpolation.Nearest)]
    public void Rotate_0_zoom_1_and_noise_0_give_the_base_scene_exactly(Interpolation interp)
    {
        var src = Random(451, 300, 3);
        var scene = SceneResizer.ResizeShorterSide(src, 256, interp);
        foreach (var spec in new[] { new MotionSpec(MotionKind.Rotate, 0), new MotionSpec(MotionKind.Zoom, 1), new MotionSpec(MotionKind.Noise, 0) })
        {
            var set = MotionViews.Render(spec, src, scene, 256, interp, 42, "sample/0", null);
            Assert.NotEmpty(set.Views);
            foreach (var view in set.Views) Assert.True(scene.Pixels.AsSpan().SequenceEqual(view.Scene.Pixels), $"{spec} {interp}");
        }
    }

    [Fact]
    public void A_quarter_turn_of_a_square_moves_its_corner_pixels_around()
    {
        // At scene size the taps of a pixel centre that lands on another pixel centre are that pixel alone.
        var src = Random(32, 32, 5);
        var turned = SceneRotation.Render(src, 32, 32, Interpolation.Bilinear, 90, 16, 16);
        // The view at p shows c + R(−90°)(p − c): pixel (u, v) shows scene pixel (v, 31 − u).
        for (int v = 0; v < 32; v += 5)
            for (int u = 0; u < 32; u += 3)
                Assert.Equal(At(src, v, 31 - u, 1), At(turned, u, v, 1));
    }

    [Fact]
    public void A_small_rotation_changes_pixels_away_from_the_centre_but_keeps_the_mean()
    {
        var src = Ramp(300, 300, (x, y) => (byte)((x + y) / 3));
        var turned = SceneRotation.Render(src, 256, 256, Interpolation.Bilinear, 1, 128, 128);
        var plain = SceneResizer.Resize(src, 256, 256, Interpolation.Bilinear);
        // 1° about the centre moves a point 100 px out by 1.75 px along the circle: on a diagonal ramp that is visible.
        Assert.NotEqual(At(plain, 228, 28), At(turned, 228, 28));
        Assert.InRange(At(turned, 128, 128) - At(plain, 128, 128), -1, 1);
    }

    [Fact]
    public void Zooming_in_by_two_about_the_centre_doubles_distances_from_it()
    {
        var src = Ramp(64, 64, (x, _) => (byte)(4 * x));
        // s = 2 about c = 32: view pixel u shows scene point 32 + (u + 0.5 − 32)/2; the ramp's slope halves to 2 a pixel.
        var zoomed = SceneResizer.Render(src, 64, 64, Interpolation.Bilinear, 32 * (2 - 1), 32 * (2 - 1), 2);
        for (int u = 8; u < 56; u++)
        {
            double scenePoint = 32 + (u + 0.5 - 32) / 2 - 0.5; // as a pixel index
            Assert.InRange(At(zoomed, u, 20), 4 * scenePoint - 1, 4 * scenePoint + 1);
        }
    }

    [Fact]
    public void Noise_is_seeded_by_run_and_key_and_has_the_asked_spread()
    {
        var scene = Ramp(128, 128, (_, _) => 128);
        var a = SceneNoise.Add(scene, 8, 1, "k/1");
        Assert.Equal(a.Pixels, SceneNoise.Add(scene, 8, 1, "k/1").Pixels);
        Assert.NotEqual(a.Pixels, SceneNoise.Add(scene, 8, 1, "k/2").Pixels);
        Assert.NotEqual(a.Pixels, SceneNoise.Add(scene, 8, 2, "k/1").Pixels);
        double mean = a.Pixels.Average(b => (double)b);
        double sd = Math.Sqrt(a.Pixels.Average(b => (b - mean) * (b - mean)));
        Assert.InRange(mean, 127.8, 128.2);
        Assert.InRange(sd, 7.8, 8.2);
    }

    // The deviates are a 4096-level table of normal quantiles drawn by a seeded stream: on a mid-grey scene (no clamping) and
    // σ = 20 (rounding adds 1/12 to the variance), the noise has the normal's mean, spread and shape, and neighbouring
    // bytes are uncorrelated.
    [Fact]
    public void Noise_follows_the_normal_distribution_and_neighbours_are_independent()
    {
        var scene = Ramp(256, 256, (_, _) => 128);
        var noisy = SceneNoise.Add(scene, 20, 7, "fashion-mnist/17");
        double[] z = [.. noisy.Pixels.Select(b => (b - 128) / 20.0)];
        double mean = z.Average(), sd = Math.Sqrt(z.Average(x => (x - mean) * (x - mean)));
        Assert.InRange(mean, -0.01, 0.01);
        Assert.InRange(sd, 0.99, 1.01);
        // A level within k·σ holds the draws within (20k + ½)/20 σ: P(|z| ≤ 1.025) = 69.5%, P(|z| ≤ 2.025) = 95.7%,
        // P(|z| > 3.025) = 0.25% (each bound about ten standard errors of a 196,608-byte sample wide).
        Assert.InRange(z.Count(x => Math.Abs(x) <= 1) / (double)z.Length, 0.685, 0.705);
        Assert.InRange(z.Count(x => Math.Abs(x) <= 2) / (double)z.Length, 0.952, 0.962);
        Assert.InRange(z.Count(x => Math.Abs(x) > 3) / (double)z.Length, 0.0015, 0.0035);
        double lag1 = 0;
        for (int i = 1; i < z.Length; i++) lag1 += (z[i] - mean) * (z[i - 1] - mean);
        Assert.InRange(lag1 / (z.Length - 1) / (sd * sd), -0.01, 0.01);
    }

    [Fact]
    public void Noise_clamps_to_the_byte_range_at_black_and_white()
    {
        var black = SceneNoise.Add(Ramp(64, 64, (_, _) => 0), 30, 1, "k");
        var white = SceneNoise.Add(Ramp(64, 64, (_, _) => 255), 30, 1, "k");
        // About half the draws (the negative ones, and those that round to 0) clamp at black, the others at white; the same
        // draw is never missed by both.
        Assert.InRange(black.Pixels.Count(b => b == 0) / (double)black.Pixels.Length, 0.5, 0.54);
        Assert.InRange(white.Pixels.Count(b => b == 255) / (double)white.Pixels.Length, 0.5, 0.54);
        Assert.All(Enumerable.Range(0, black.Pixels.Length), i => Assert.True(black.Pixels[i] == 0 || white.Pixels[i] == 255));
    }

    [Fact]
    public void Subpixel_views_are_the_eight_directions_scaled_by_delta()
    {
        var src = Random(300, 200, 9);
        var scene = SceneResizer.ResizeShorterSide(src, 64, Interpolation.Bilinear);
        var set = MotionViews.Render(new MotionSpec(MotionKind.Subpixel, 0.5), src, scene, 64, Interpolation.Bilinear, 1, "k", null);
        Assert.Equal(8, set.Views.Count);
        Assert.Equal(ShiftSets.N1.Select(d => (0.5 * d.Dx, 0.5 * d.Dy)), set.Views.Select(v => (v.Map.Tx, v.Map.Ty)));
        Assert.All(set.Views, v => Assert.Equal(Shift.Zero, v.Shift));
    }
}
