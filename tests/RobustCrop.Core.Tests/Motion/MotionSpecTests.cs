using RobustCrop.Core.Motion;

namespace RobustCrop.Core.Tests.Motion;

public sealed class MotionSpecTests
{
    [Theory]
    [InlineData("subpixel:0.5", MotionKind.Subpixel, 0.5)]
    [InlineData(" rotate:1 ", MotionKind.Rotate, 1.0)]
    [InlineData("zoom:1.05", MotionKind.Zoom, 1.05)]
    [InlineData("jpeg:75", MotionKind.Jpeg, 75.0)]
    [InlineData("noise:2", MotionKind.Noise, 2.0)]
    [InlineData("SUBPIXEL:1", MotionKind.Subpixel, 1.0)]
    public void Valid_specs_parse_to_their_kind_and_amount(string text, MotionKind kind, double amount)
        => Assert.Equal(new MotionSpec(kind, amount), MotionSpec.Parse(text));

    [Theory]
    [InlineData("subpixel")]
    [InlineData("subpixel:")]
    [InlineData("subpixel:-0.5")]
    [InlineData("subpixel:9")]
    [InlineData("rotate:90")]
    [InlineData("zoom:0")]
    [InlineData("jpeg:75.5")]
    [InlineData("jpeg:0")]
    [InlineData("noise:NaN")]
    [InlineData("blur:2")]
    public void A_bad_spec_is_one_line_naming_every_valid_form(string text)
    {
        var e = Assert.Throws<FormatException>(() => MotionSpec.Parse(text));
        Assert.DoesNotContain('\n', e.Message);
        Assert.Contains($"'{text}'", e.Message);
        foreach (var form in new[] { "subpixel:δ", "rotate:θ", "zoom:s", "jpeg:q", "noise:σ" }) Assert.Contains(form, e.Message);
    }

    [Fact]
    public void A_list_keeps_order_and_drops_repeats()
        => Assert.Equal(["subpixel:0.5", "rotate:1", "subpixel:1"],
            MotionSpec.ParseList("subpixel:0.5, rotate:1,subpixel:0.5,subpixel:1").Select(s => s.Name));

    [Fact]
    public void Names_use_the_invariant_culture()
        => Assert.Equal("subpixel:0.25", new MotionSpec(MotionKind.Subpixel, 0.25).Name);
}
