using RobustCrop.Core.Imaging;

namespace RobustCrop.Core.Tests.Imaging;

public sealed class SceneResizerTests
{
    private static RgbImage Fill(int w, int h, Func<int, int, int, byte> f)
    {
        var img = new RgbImage(w, h);
        for (int y = 0; y < h; y++)
        {
            Span<byte> row = img.Row(y);
            for (int x = 0; x < w; x++)
                for (int c = 0; c < 3; c++) row[x * 3 + c] = f(x, y, c);
        }
        return img;
    }

    private static byte At(RgbImage img, int x, int y, int c) => img.ReadOnlyRow(y)[x * 3 + c];

    // Down by ~2x (the sample photos), by a fraction, by a lot, up from Fashion-MNIST's 28 px, one axis only, odd widths
    // (rows that are not a multiple of 16 bytes), a 1-px side: the vectorised passes against the scalar reference.
    [Theory]
    [InlineData(512, 512, 256, 256)]
    [InlineData(451, 300, 384, 256)]
    [InlineData(640, 427, 383, 256)]
    [InlineData(2000, 1333, 37, 23)]
    [InlineData(28, 28, 256, 256)]
    [InlineData(300, 200, 300, 117)]
    [InlineData(300, 200, 141, 200)]
    [InlineData(17, 5, 1, 3)]
    [InlineData(5, 1, 9, 1)]
    public void Vectorised_passes_equal_the_scalar_reference_byte_for_byte(int w, int h, int outW, int outH)
    {
        var random = new Random(w * 31 + h);
        var src = new RgbImage(w, h);
        random.NextBytes(src.Pixels);
        foreach (var interp in new[] { Interpolation.Bilinear, Interpolation.Bicubic })
        {
            var fast = SceneResizer.Resize(src, outW, outH, interp).Pixels;
            var reference = SceneResizerReference.Resize(src, outW, outH, interp).Pixels;
            int diff = Enumerable.Range(0, fast.Length).FirstOrDefault(i => fast[i] != reference[i], -1);
            Assert.True(diff < 0, $"{interp} {w}x{h} -> {outW}x{outH}: byte {diff} is {(diff < 0 ? 0 : fast[diff])}, reference {(diff < 0 ? 0 : reference[diff])}");
        }
    }

    [Theory]
    [InlineData(500, 375, 256, 341, 256)] // 500*256/375 = 341.33 -> truncated, as torchvision's int()
    [InlineData(375, 500, 256, 256, 341)]
    [InlineData(640, 427, 256, 383, 256)] // 383.7 -> 383: truncation, not rounding
    [InlineData(28, 28, 256, 256, 256)]
    [InlineData(300, 300, 224, 224, 224)]
    public void Shorter_side_size_truncates_like_torchvision(int w, int h, int s, int ew, int eh)
        => Assert.Equal((ew, eh), SceneResizer.ShorterSideSize(w, h, s));

    [Theory]
    [InlineData(Interpolation.Bilinear)]
    [InlineData(Interpolation.Bicubic)]
    [InlineData(Interpolation.Nearest)]
    public void Constant_image_stays_constant_down_and_up(Interpolation interp)
    {
        RgbImage src = Fill(37, 23, (_, _, c) => (byte)(c == 0 ? 200 : c == 1 ? 17 : 99));
        foreach (int side in new[] { 8, 11, 64 })
        {
            RgbImage dst = SceneResizer.ResizeShorterSide(src, side, interp);
            for (int i = 0; i < dst.Pixels.Length; i += 3)
                Assert.Equal((200, 17, 99), (dst.Pixels[i], dst.Pixels[i + 1], dst.Pixels[i + 2]));
        }
    }

    [Theory]
    [InlineData(Interpolation.Bilinear, 10)]
    [InlineData(Interpolation.Bilinear, 50)]
    [InlineData(Interpolation.Bicubic, 10)]
    [InlineData(Interpolation.Bicubic, 50)]
    [InlineData(Interpolation.Nearest, 10)]
    [InlineData(Interpolation.Nearest, 50)]
    public void Horizontal_ramp_stays_monotonic(Interpolation interp, int side)
    {
        RgbImage src = Fill(64, 20, (x, _, _) => (byte)(x * 4));
        RgbImage dst = SceneResizer.ResizeShorterSide(src, side, interp);
        for (int y = 0; y < dst.Height; y++)
            for (int x = 1; x < dst.Width; x++)
                for (int c = 0; c < 3; c++)
                    Assert.True(At(dst, x, y, c) >= At(dst, x - 1, y, c), $"({x},{y},{c}) decreases");
        Assert.True(At(dst, dst.Width - 1, 0, 0) > At(dst, 0, 0, 0));
    }

    [Fact]
    public void Bilinear_halving_uses_the_widened_triangle_filter()
    {
        // 8 -> 4 means scale 2: the triangle's support doubles to 2 source pixels each side (Pillow's antialias).
        // Output x has centre 2x+1 in source coordinates; a tap at source pixel s (centre s+0.5) weighs tri((s+0.5-c)/2):
        //   interior (x=1,2): taps c-2..c+1 with 1/8, 3/8, 3/8, 1/8;
        //   edges: the tap outside the image is dropped and the rest renormalised: x=0 -> 3/7,3/7,1/7 on 0..2,
        //          x=3 -> 1/7,3/7,3/7 on 5..7.
        // Row: 0 80 160 240 0 80 160 240
        //   x=0: (3*0 + 3*80 + 160)/7 = 400/7 = 57.14 -> 57
        //   x=1: (80 + 3*160 + 3*240 + 0)/8 = 160
        //   x=2: (240 + 3*0 + 3*80 + 160)/8 = 80
        //   x=3: (80 + 3*160 + 3*240)/7 = 1280/7 = 182.86 -> 183
        byte[] row = [0, 80, 160, 240, 0, 80, 160, 240];
        RgbImage src = Fill(8, 8, (x, _, _) => row[x]);
        RgbImage dst = SceneResizer.ResizeShorterSide(src, 4, Interpolation.Bilinear);
        Assert.Equal((4, 4), (dst.Width, dst.Height));
        for (int y = 0; y < 4; y++)
        {
            Assert.Equal(57, At(dst, 0, y, 0));
            Assert.Equal(160, At(dst, 1, y, 1));
            Assert.Equal(80, At(dst, 2, y, 2));
            Assert.Equal(183, At(dst, 3, y, 0));
        }
    }

    [Fact]
    public void Bilinear_halving_of_a_vertical_pattern_matches_the_horizontal_one()
    {
        byte[] col = [0, 80, 160, 240, 0, 80, 160, 240];
        RgbImage dst = SceneResizer.ResizeShorterSide(Fill(8, 8, (_, y, _) => col[y]), 4, Interpolation.Bilinear);
        byte[] expected = [57, 160, 80, 183];
        for (int y = 0; y < 4; y++)
            for (int x = 0; x < 4; x++) Assert.Equal(expected[y], At(dst, x, y, 1));
    }

    [Fact]
    public void Nearest_upscale_of_2x2_to_4x4_duplicates_each_pixel()
    {
        var src = new RgbImage(2, 2, [10, 11, 12, 20, 21, 22, 30, 31, 32, 40, 41, 42]);
        RgbImage dst = SceneResizer.ResizeShorterSide(src, 4, Interpolation.Nearest);
        byte[] expected =
        [
            10, 11, 12, 10, 11, 12, 20, 21, 22, 20, 21, 22,
            10, 11, 12, 10, 11, 12, 20, 21, 22, 20, 21, 22,
            30, 31, 32, 30, 31, 32, 40, 41, 42, 40, 41, 42,
            30, 31, 32, 30, 31, 32, 40, 41, 42, 40, 41, 42,
        ];
        Assert.Equal(expected, dst.Pixels);
    }

    [Fact]
    public void Bilinear_upscale_interpolates_between_two_pixels()
    {
        // Upscaling keeps the plain triangle (support 1). 2 -> 4: output centres at source 0.25, 0.75, 1.25, 1.75;
        // a tap at pixel s weighs tri(s + 0.5 - c). x=1 (c=0.75): 0.75*0 + 0.25*200 = 50; edges clamp to one tap.
        RgbImage src = Fill(2, 2, (x, _, _) => (byte)(x == 0 ? 0 : 200));
        RgbImage dst = SceneResizer.ResizeShorterSide(src, 4, Interpolation.Bilinear);
        Assert.Equal([0, 50, 150, 200], Enumerable.Range(0, 4).Select(x => At(dst, x, 2, 0)).ToArray());
    }

    [Theory]
    [InlineData(Interpolation.Bilinear)]
    [InlineData(Interpolation.Bicubic)]
    [InlineData(Interpolation.Nearest)]
    public void Upscales_28x28_to_256(Interpolation interp)
    {
        RgbImage src = Fill(28, 28, (x, y, c) => (byte)((x * 9 + y * 5 + c * 40) % 256));
        RgbImage dst = SceneResizer.ResizeShorterSide(src, 256, interp);
        Assert.Equal((256, 256), (dst.Width, dst.Height));
    }

    [Fact]
    public void Bicubic_overshoot_is_clipped_to_the_byte_range()
    {
        // A hard 0/255 edge rings with a=-0.5; values must saturate, not wrap.
        RgbImage src = Fill(8, 8, (x, _, _) => (byte)(x < 4 ? 0 : 255));
        RgbImage dst = SceneResizer.ResizeShorterSide(src, 20, Interpolation.Bicubic);
        Assert.Equal(0, At(dst, 0, 0, 0));
        Assert.Equal(255, At(dst, 19, 0, 0));
        for (int x = 1; x < 20; x++) Assert.True(At(dst, x, 5, 0) >= At(dst, x - 1, 5, 0), $"x={x} decreases");
    }

    [Fact]
    public void Same_size_returns_the_input()
    {
        RgbImage src = Fill(30, 20, (x, y, c) => (byte)(x + y + c));
        Assert.Same(src, SceneResizer.ResizeShorterSide(src, 20, Interpolation.Bilinear));
    }

    [Fact]
    public void Refuses_a_result_over_the_pixel_limit()
    {
        RgbImage src = Fill(28, 14, (_, _, _) => 1);
        var e = Assert.Throws<ArgumentException>(() => SceneResizer.ResizeShorterSide(src, 256, Interpolation.Bilinear, maxPixels: 100_000));
        Assert.Contains("512x256 = 131072 pixels, over the 100000-pixel limit", e.Message);
    }
}
