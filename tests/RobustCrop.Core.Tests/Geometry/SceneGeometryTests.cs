using RobustCrop.Core.Geometry;

namespace RobustCrop.Core.Tests.Geometry;

public sealed class SceneGeometryTests
{
    [Fact]
    public void Base_crop_is_the_centre_of_the_centred_frame()
    {
        // 300x256 scene, R=256, C=224: frame at x=(300-256)/2=22, crop 16 px further in on both axes.
        var g = new SceneGeometry(300, 256, 256, 224);
        Assert.Equal((22, 0), (g.FrameX, g.FrameY));
        Assert.Equal(new CropPosition(38, 16), g.Base);
        Assert.Equal(16, g.MaxWindowRadius);
    }

    [Theory]
    [InlineData(257, 0)] // (257-256)/2 = 0.5 rounds to even 0, as torchvision's CenterCrop does
    [InlineData(259, 2)] // 1.5 rounds to 2
    [InlineData(261, 2)] // 2.5 rounds to 2
    public void Frame_offset_rounds_half_to_even_like_torchvision(int width, int expectedFrameX)
        => Assert.Equal(expectedFrameX, new SceneGeometry(width, 256, 256, 224).FrameX);

    [Fact]
    public void Shift_is_supported_while_the_crop_stays_in_the_scene()
    {
        var g = new SceneGeometry(256, 256, 256, 224);
        Assert.True(g.Supports(new Shift(16, -16)));
        Assert.False(g.Supports(new Shift(17, 0)));
        Assert.False(g.Supports(new Shift(0, -17)));
        Assert.Equal(new CropPosition(17, 15), g.Shifted(new Shift(1, -1)));
    }

    [Fact]
    public void Window_sets_have_the_expected_size_and_exclude_zero()
    {
        Assert.Equal(8, ShiftSets.N1.Length);
        Assert.Equal(24, ShiftSets.Window(2).Length);
        Assert.DoesNotContain(Shift.Zero, ShiftSets.Window(3));
        Assert.Equal(ShiftSets.N1.ToHashSet(), ShiftSets.Window(1).ToHashSet());
    }

    [Fact]
    public void Rejects_a_scene_smaller_than_the_frame()
        => Assert.Throws<ArgumentException>(() => new SceneGeometry(255, 300, 256, 224));
}
