using RobustCrop.Core.Imaging;

namespace RobustCrop.Core.Tests.Imaging;

public sealed class InputPackingTests
{
    // Two 2x2 crops, NCHW: value = 100·batch + 10·channel + pixel.
    private static readonly float[] Nchw = [.. Enumerable.Range(0, 24).Select(i => 100f * (i / 12) + 10f * (i % 12 / 4) + i % 4)];

    [Fact]
    public void Nhwc_puts_the_three_channels_of_each_pixel_together()
    {
        var dest = new float[24];
        InputPacking.Pack(Nchw, 2, 2, TensorLayout.Nhwc, dest);
        Assert.Equal([0, 10, 20, 1, 11, 21, 2, 12, 22, 3, 13, 23, 100, 110, 120, 101, 111, 121, 102, 112, 122, 103, 113, 123], dest);
    }

    [Fact]
    public void Nchw_is_a_copy()
    {
        var dest = new float[24];
        InputPacking.Pack(Nchw, 2, 2, TensorLayout.Nchw, dest);
        Assert.Equal(Nchw, dest);
    }

    [Fact]
    public void Float16_rounds_each_value_to_the_nearest_half_in_either_layout()
    {
        float[] src = [.. Nchw.Select(v => v + 0.1f)]; // 0.1 is not a half: the rounding shows
        var half = new Half[24];
        InputPacking.Pack(src, 2, 2, TensorLayout.Nchw, half, []);
        Assert.Equal(src.Select(v => (Half)v), half);
        Assert.NotEqual(src, half.Select(h => (float)h));
        var nhwcFloat = new float[24];
        InputPacking.Pack(src, 2, 2, TensorLayout.Nhwc, nhwcFloat);
        InputPacking.Pack(src, 2, 2, TensorLayout.Nhwc, half, new float[12]);
        Assert.Equal(nhwcFloat.Select(v => (Half)v), half);
    }

    [Fact]
    public void Too_small_a_destination_is_refused()
    {
        Assert.Throws<ArgumentException>(() => InputPacking.Pack(Nchw, 2, 2, TensorLayout.Nhwc, new float[23]));
    }
}
