using RobustCrop.Core.Imaging;
using RobustCrop.Core.Models;
using RobustCrop.Core.Planning;
using RobustCrop.Core.Rics;
using RobustCrop.Core.Settings;

namespace RobustCrop.Core.Tests.Planning;

public sealed class ZooFeasibilityTests
{
    private static ModelManifest Model(int crop, int resize, string id = "m") => new(
        id, "/m.onnx", null, crop, resize, Interpolation.Bicubic, ChannelOrder.Rgb, 1f / 255, [0f, 0f, 0f], [1f, 1f, 1f],
        null, OutputKind.Embedding, null, null, 0);

    private static RunSettings Settings(int windowK = 2, params int[] rics)
        => new(new RunId("r")) { WindowK = windowK, Rics = RicsSelection.Of(rics, [RicsScore.Hash], cyclic: false) };

    [Theory]
    [InlineData(224, 256, 16)] // timm / torchvision ImageNet: crop_pct 0.875
    [InlineData(224, 224, 0)]  // open-CLIP: crop_pct 1.0
    [InlineData(224, 225, 0)]  // one spare pixel is not one on each side
    [InlineData(224, 234, 5)]  // resize.margin: 5
    public void Margin_is_half_the_spare_short_side_rounded_down(int crop, int resize, int margin)
        => Assert.Equal(margin, ZooFeasibility.Margin(Model(crop, resize)));

    [Theory]
    [InlineData(0, new int[0], 1)]   // N1 alone
    [InlineData(2, new int[0], 2)]   // W_2
    [InlineData(2, new[] { 9 }, 5)]  // the default job: RICS n=9 on 1-px-shifted frames reaches 4 + 1
    [InlineData(1, new[] { 33 }, 17)]
    [InlineData(1, new[] { 3, 31 }, 16)] // the largest window counts
    public void Margin_needed_covers_the_shift_plan_and_the_rics_reach(int windowK, int[] rics, int needed)
        => Assert.Equal(needed, ZooFeasibility.MarginNeeded(Settings(windowK, rics)).Pixels);

    [Fact]
    public void A_crop_pct_one_model_stops_with_one_line_naming_model_margin_and_fix()
    {
        var e = Assert.Throws<ZooException>(() => ZooFeasibility.Check(Model(224, 224, "clip-vit-b-16"), Settings(2, 9)));
        Assert.Equal("model clip-vit-b-16: resize 224 around a 224-px crop leaves 0 px of room to shift on the short side, " +
                     "RICS windows of 9 px on shifted frames need 5; set resize.margin: 5 in the zoo (scene short side 234), " +
                     "or ask for less (--window, --rics)", e.Message);
    }

    [Fact]
    public void Rics_windows_larger_than_the_margin_stop_the_run_and_the_largest_that_fits_passes()
    {
        var resnet = Model(224, 256);
        Assert.Contains("need 17", Assert.Throws<ZooException>(() => ZooFeasibility.Check(resnet, Settings(1, 33))).Message);
        Assert.Contains("need 128", Assert.Throws<ZooException>(() => ZooFeasibility.Check(resnet, Settings(1, 255))).Message);
        ZooFeasibility.Check(resnet, Settings(1, 31)); // 15 + 1 = 16: exactly the margin
        ZooFeasibility.Check(Model(224, 234), Settings(2, 9)); // the margin the message asked for is enough
    }

    [Fact]
    public void A_resize_whose_square_scene_exceeds_the_pixel_limit_stops_the_run()
    {
        var e = Assert.Throws<ZooException>(() => ZooFeasibility.Check(Model(224, 30_000, "big"), Settings()));
        Assert.StartsWith("model big: resize 30000 makes even a square image a 30000x30000 scene (900000000 pixels, over the 16000000-pixel", e.Message);
        ZooFeasibility.Check(Model(224, 4000), Settings()); // 16M pixels: at the limit
    }

    [Theory]
    [InlineData("fashion-mnist/t10k/000001", true)]
    [InlineData("photos/chelsea.png", false)]
    [InlineData("fashion-mnist-extra/x.png", false)] // a dataset name, not a prefix
    public void A_head_applies_to_the_inputs_of_its_datasets_only(string key, bool applies)
    {
        var m = Model(224, 256) with { HeadAppliesTo = ["fashion-mnist"] };
        Assert.Equal(applies, m.ClassesApplyTo(key));
        Assert.True(Model(224, 256).ClassesApplyTo(key)); // no applies_to: every input
    }
}
