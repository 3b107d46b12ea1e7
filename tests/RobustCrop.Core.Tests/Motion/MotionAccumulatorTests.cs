using RobustCrop.Core.Results;

namespace RobustCrop.Core.Tests.Motion;

public sealed class MotionAccumulatorTests
{
    private static MotionRow Row(string motion, double? consistency, bool? fooled, double cosine, int? window = null, double? kept = null,
        double? border = null, int views = 8)
        => new("r", 0, "k", null, "m", motion, motion.Split(':')[0], double.Parse(motion.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture),
            window, window is null ? null : "hash", window is null ? null : "select", views, consistency, fooled, cosine, cosine < 0.99, kept, border);

    [Fact]
    public void Motion_entries_follow_the_spec_order_and_average_per_image()
    {
        var acc = new MotionAccumulator();
        acc.Add(Row("subpixel:0.5", 1.0, false, 0.995));
        acc.Add(Row("subpixel:0.5", 0.5, true, 0.9, window: 9, kept: 0.75, border: 0.25));
        acc.Add(Row("rotate:1", 0.5, true, 0.98, views: 2));
        acc.Add(Row("subpixel:0.5", 0.75, true, 0.97));
        acc.Add(Row("subpixel:0.5", 1.0, false, 0.999, window: 9, kept: 0.25, border: 0.75));
        acc.Add(Row("subpixel:0.5", null, null, 1.0, views: 0)); // no view fitted the scene: not measured

        var s = acc.ToSummary(0.99);
        Assert.Equal(["subpixel:0.5", "rotate:1"], s.Select(m => m.Motion));
        var sub = s[0];
        Assert.Equal(("subpixel", 0.5, 3L), (sub.Kind, sub.Amount, sub.Images));
        Assert.Equal(0.875, sub.Consistency1px);
        Assert.Equal(0.5, sub.Fooled1px);
        Assert.Equal(0.97, sub.Cosine1pxMin.Min);
        Assert.Equal(0.5, sub.Changed1px.Rate);
        Assert.Null(sub.NnChanged1px);
        var rics = Assert.Single(sub.Rics);
        Assert.Equal((9, "hash", "select"), (rics.Window, rics.Score, rics.Mode));
        Assert.Equal((0.75, 0.5, 0.5, 0.5), (rics.Consistency1px!.Value, rics.Fooled1px!.Value, rics.SelectionKept!.Value, rics.BorderRate!.Value));
        Assert.Empty(s[1].Rics);
    }
}
