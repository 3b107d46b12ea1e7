using System.Collections.Immutable;
using RobustCrop.Core.Imaging;

namespace RobustCrop.Core.Tests.Imaging;

public sealed class CropWriterTests
{
    // Identity normalisation: outputs equal the raw bytes, so expected tensors can be written by hand.
    private static readonly PixelNormalization Raw = new(ChannelOrder.Rgb, 1f, [0f, 0f, 0f], [1f, 1f, 1f]);

    /// <summary>5x4 scene with R = 10y + x, G = 100 + 10y + x, B = 200 + 10y + x.</summary>
    private static RgbImage Scene()
    {
        var img = new RgbImage(5, 4);
        for (int y = 0; y < 4; y++)
            for (int x = 0; x < 5; x++)
            {
                Span<byte> p = img.Row(y).Slice(x * 3, 3);
                p[0] = (byte)(10 * y + x);
                p[1] = (byte)(100 + 10 * y + x);
                p[2] = (byte)(200 + 10 * y + x);
            }
        return img;
    }

    private static float[] Plane(float[] chw, int c, int size) => chw.AsSpan(c * size * size, size * size).ToArray();

    private static float[] Rolled(int x, int y, int rx, int ry, PixelNormalization? norm = null)
    {
        float[] dest = new float[27];
        CropWriter.WriteRolled(Scene(), x, y, 3, rx, ry, norm ?? Raw, dest);
        return dest;
    }

    [Fact]
    public void Crop_at_x_y_is_the_scene_window_in_chw()
    {
        float[] dest = new float[27];
        CropWriter.Write(Scene(), 1, 1, 3, Raw, dest);
        Assert.Equal([11, 12, 13, 21, 22, 23, 31, 32, 33], Plane(dest, 0, 3));
        Assert.Equal([111, 112, 113, 121, 122, 123, 131, 132, 133], Plane(dest, 1, 3));
        Assert.Equal([211, 212, 213, 221, 222, 223, 231, 232, 233], Plane(dest, 2, 3));
    }

    [Fact]
    public void Roll_by_1_0_moves_column_2_to_column_0()
        // torch.roll(crop, shifts=1, dims=-1) on [[0,1,2],[10,11,12],[20,21,22]].
        => Assert.Equal([2, 0, 1, 12, 10, 11, 22, 20, 21], Plane(Rolled(0, 0, 1, 0), 0, 3));

    [Fact]
    public void Roll_by_0_1_moves_row_2_to_row_0()
        => Assert.Equal([20, 21, 22, 0, 1, 2, 10, 11, 12], Plane(Rolled(0, 0, 0, 1), 0, 3));

    [Fact]
    public void Roll_by_1_1_wraps_both_axes()
        => Assert.Equal([122, 120, 121, 102, 100, 101, 112, 110, 111], Plane(Rolled(0, 0, 1, 1), 1, 3));

    [Fact]
    public void Negative_roll_moves_column_0_to_column_2()
    {
        Assert.Equal([1, 2, 0, 11, 12, 10, 21, 22, 20], Plane(Rolled(0, 0, -1, 0), 0, 3));
        Assert.Equal([10, 11, 12, 20, 21, 22, 0, 1, 2], Plane(Rolled(0, 0, 0, -1), 0, 3));
    }

    [Theory]
    [InlineData(3, 0, 0, 0)]
    [InlineData(0, 3, 0, 0)]
    [InlineData(-3, 6, 0, 0)]
    [InlineData(4, -2, 1, 1)]
    [InlineData(-4, 5, -1, -1)]
    public void Rolls_are_modulo_the_crop_size(int rx, int ry, int ex, int ey)
        => Assert.Equal(Rolled(1, 1, ex, ey), Rolled(1, 1, rx, ry));

    [Fact]
    public void Rolled_window_away_from_the_origin_uses_that_window()
        // Window at (2,1): R rows [12,13,14],[22,23,24],[32,33,34]; roll x by 2 -> out[j] = crop[(j-2) mod 3].
        => Assert.Equal([13, 14, 12, 23, 24, 22, 33, 34, 32], Plane(Rolled(2, 1, 2, 0), 0, 3));

    [Fact]
    public void Bgr_order_puts_blue_in_plane_0()
    {
        var bgr = Raw with { Order = ChannelOrder.Bgr };
        float[] dest = Rolled(1, 1, 0, 0, bgr);
        Assert.Equal([211, 212, 213, 221, 222, 223, 231, 232, 233], Plane(dest, 0, 3));
        Assert.Equal([111, 112, 113, 121, 122, 123, 131, 132, 133], Plane(dest, 1, 3));
        Assert.Equal([11, 12, 13, 21, 22, 23, 31, 32, 33], Plane(dest, 2, 3));
    }

    [Fact]
    public void Bgr_uses_the_mean_and_std_of_the_output_channel()
    {
        // Mean/Std are given in model (output) order: plane 0 is blue with mean 200, std 2.
        var norm = new PixelNormalization(ChannelOrder.Bgr, 1f, [200f, 100f, 0f], [2f, 4f, 1f]);
        float[] dest = Rolled(0, 0, 0, 0, norm);
        Assert.Equal(0f, dest[0]);          // B=200: (200-200)/2
        Assert.Equal(11f, dest[8]);         // B=222 at (2,2): (222-200)/2
        Assert.Equal(0.5f, dest[9 + 2]);    // G=102: (102-100)/4
        Assert.Equal(22f, dest[18 + 8]);    // R=22: (22-0)/1
    }

    [Fact]
    public void ImageNet_normalisation_matches_the_formula()
    {
        float[] dest = new float[27];
        CropWriter.Write(Scene(), 2, 1, 3, PixelNormalization.ImageNet, dest);
        // Pixel (2,1): R=12, G=112, B=212; expected in double, allowed a few float ulps (ulp at 2 is 2.4e-7).
        Assert.Equal((12 / 255.0 - 0.485) / 0.229, dest[0], 1e-6);
        Assert.Equal((112 / 255.0 - 0.456) / 0.224, dest[9], 1e-6);
        Assert.Equal((212 / 255.0 - 0.406) / 0.225, dest[18], 1e-6);
    }

    [Fact]
    public void Mean_image_is_subtracted_per_pixel_and_divided_by_std()
    {
        // value = (p - meanImage[c, i, j]) / std[c]; mean image in model channel order (here BGR: plane 0 is blue).
        float[] mean = new float[27];
        for (int k = 0; k < 27; k++) mean[k] = k;
        var norm = new PixelNormalization(ChannelOrder.Bgr, 1f, [0f, 0f, 0f], [2f, 1f, 4f], mean);
        float[] dest = new float[27];
        CropWriter.WriteRolled(Scene(), 1, 1, 3, 1, 0, norm, dest);
        // Plane 0 (B), out (0,0) after roll x=1 comes from crop col 2: B=213; mean[0]=0; std 2 -> 106.5.
        Assert.Equal(106.5f, dest[0]);
        // Plane 0, out (1,1): crop col 0 of row 1 -> B=221; mean[4]=4 -> (221-4)/2 = 108.5.
        Assert.Equal(108.5f, dest[4]);
        // Plane 2 (R), out (2,2): crop col 1 of row 2 -> R=32; mean[26]=26 -> (32-26)/4 = 1.5.
        Assert.Equal(1.5f, dest[26]);
        // Plane 1 (G), out (0,1): crop col 0 of row 0 -> G=111; mean[10]=10 -> 101.
        Assert.Equal(101f, dest[10]);
    }

    [Fact]
    public void Fast_path_is_bit_identical_to_the_scalar_reference()
    {
        var rng = new Random(7);
        var scene = new RgbImage(61, 47);
        rng.NextBytes(scene.Pixels);
        float[] meanImage = new float[3 * 32 * 32];
        for (int k = 0; k < meanImage.Length; k++) meanImage[k] = (float)(rng.NextDouble() * 255);
        PixelNormalization[] norms =
        [
            PixelNormalization.ImageNet,
            PixelNormalization.ImageNet with { Order = ChannelOrder.Bgr },
            new(ChannelOrder.Bgr, 1f, [0f, 0f, 0f], [1f, 1f, 1f], meanImage),
            new(ChannelOrder.Rgb, 1f / 127.5f, [1f, 1f, 1f], [1f, 1f, 1f]),
        ];
        float[] fast = new float[3 * 32 * 32], reference = new float[3 * 32 * 32];
        for (int trial = 0; trial < 200; trial++)
        {
            PixelNormalization norm = norms[trial % norms.Length];
            int x = rng.Next(0, 61 - 32 + 1), y = rng.Next(0, 47 - 32 + 1);
            int rx = rng.Next(-70, 71), ry = rng.Next(-70, 71);
            CropWriter.WriteRolled(scene, x, y, 32, rx, ry, norm, fast);
            CropWriterReference.WriteRolled(scene, x, y, 32, rx, ry, norm, reference);
            for (int k = 0; k < fast.Length; k++)
                Assert.Equal(BitConverter.SingleToInt32Bits(reference[k]), BitConverter.SingleToInt32Bits(fast[k]));
        }
    }

    [Fact]
    public void Window_leaving_the_scene_is_refused()
        => Assert.Throws<ArgumentOutOfRangeException>(() => CropWriter.Write(Scene(), 3, 0, 3, Raw, new float[27]));

    [Fact]
    public void Short_destination_is_refused()
        => Assert.Throws<ArgumentException>(() => CropWriter.Write(Scene(), 0, 0, 3, Raw, new float[26]));

    [Fact]
    public void Mean_image_of_the_wrong_size_is_refused()
        => Assert.Throws<ArgumentException>(() => CropWriter.Write(Scene(), 0, 0, 3, Raw with { MeanImage = ImmutableArray.Create(new float[26]) }, new float[27]));
}
