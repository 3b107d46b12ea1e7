using RobustCrop.Core.Imaging;

namespace RobustCrop.Core.Tests.Imaging;

public sealed class CropBytesTests
{
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

    private static byte[] Channel(byte[] hwc, int c) => [.. Enumerable.Range(0, hwc.Length / 3).Select(i => hwc[3 * i + c])];

    [Fact]
    public void Crop_at_x_y_is_the_scene_window_interleaved()
    {
        var dest = new byte[27];
        CropBytes.Write(Scene(), 1, 1, 3, dest);
        Assert.Equal([11, 12, 13, 21, 22, 23, 31, 32, 33], Channel(dest, 0));
        Assert.Equal([111, 112, 113, 121, 122, 123, 131, 132, 133], Channel(dest, 1));
        Assert.Equal([211, 212, 213, 221, 222, 223, 231, 232, 233], Channel(dest, 2));
    }

    [Fact]
    public void Roll_follows_torch_roll()
    {
        // torch.roll(crop, shifts=(1, 1), dims=(H, W)) of rows [0,1,2] x cols [0,1,2]: out[i, j] = crop[i - 1, j - 1].
        var dest = new byte[27];
        CropBytes.WriteRolled(Scene(), 0, 0, 3, 1, 1, dest);
        Assert.Equal([22, 20, 21, 2, 0, 1, 12, 10, 11], Channel(dest, 0));
        var negative = new byte[27];
        CropBytes.WriteRolled(Scene(), 0, 0, 3, -2, -2, negative);
        Assert.Equal(dest, negative);
    }

    [Fact]
    public void Random_scenes_and_rolls_equal_the_naive_reference()
    {
        var rng = new Random(10);
        for (int trial = 0; trial < 40; trial++)
        {
            int w = rng.Next(8, 40), h = rng.Next(8, 40), size = rng.Next(1, Math.Min(w, h) + 1);
            var scene = new RgbImage(w, h);
            rng.NextBytes(scene.Pixels);
            int x = rng.Next(0, w - size + 1), y = rng.Next(0, h - size + 1);
            int rx = rng.Next(-2 * size, 2 * size), ry = rng.Next(-2 * size, 2 * size);
            var fast = new byte[3 * size * size];
            CropBytes.WriteRolled(scene, x, y, size, rx, ry, fast);
            var naive = new byte[3 * size * size];
            for (int i = 0; i < size; i++)
                for (int j = 0; j < size; j++)
                {
                    int si = ((i - ry) % size + size) % size, sj = ((j - rx) % size + size) % size;
                    for (int c = 0; c < 3; c++) naive[(i * size + j) * 3 + c] = scene.Pixels[((y + si) * w + x + sj) * 3 + c];
                }
            Assert.Equal(naive, fast);
        }
    }

    [Fact]
    public void Window_outside_the_scene_or_short_destination_throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => CropBytes.Write(Scene(), 3, 0, 3, new byte[27]));
        Assert.Throws<ArgumentException>(() => CropBytes.Write(Scene(), 0, 0, 3, new byte[26]));
    }
}
