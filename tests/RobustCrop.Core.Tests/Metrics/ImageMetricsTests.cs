using RobustCrop.Core.Metrics;

namespace RobustCrop.Core.Tests.Metrics;

public sealed class ImageMetricsTests
{
    // Four crops in 2-D: base (1,0); same direction; 60 degrees away; opposite.
    private static CropOutputs Outputs(bool classes)
    {
        var o = new CropOutputs(4, 2, classes);
        float[][] v = [[1, 0], [1, 0], [0.5f, MathF.Sqrt(3) / 2], [-1, 0]];
        for (int i = 0; i < 4; i++) v[i].CopyTo(o.Vector(i));
        if (classes) { int[] p = [3, 3, 5, 3]; p.CopyTo(o.Predictions!, 0); }
        return o;
    }

    [Fact]
    public void Hand_computed_consistency_fooling_and_cosine()
    {
        var m = ImageMetrics.Compare(Outputs(true), 0, [1, 2, 3, -1], tau: 0.99);
        Assert.Equal(3, m.Shifts);                 // the -1 shift was not taken
        Assert.Equal(2.0 / 3.0, m.Consistency!.Value, 12);
        Assert.True(m.Fooled);
        Assert.Equal(-1.0, m.CosineMin, 6);
        Assert.True(m.Changed);
    }

    [Fact]
    public void Without_classes_prediction_metrics_are_null_not_invented()
    {
        var m = ImageMetrics.Compare(Outputs(false), 0, [1, 2], tau: 0.4);
        Assert.Null(m.Consistency);
        Assert.Null(m.Fooled);
        Assert.Equal(0.5, m.CosineMin, 6);
        Assert.False(m.Changed);                   // 0.5 ≥ τ = 0.4
    }

    [Fact]
    public void Identical_outputs_are_fully_consistent()
    {
        var m = ImageMetrics.Compare(Outputs(true), 0, [1], tau: 0.99);
        Assert.Equal(1.0, m.Consistency);
        Assert.False(m.Fooled);
        Assert.False(m.Changed);
    }

    [Fact]
    public void Aggregates_skip_nulls_and_interpolate_quantiles_like_numpy()
    {
        Assert.Equal(0.5, Stats.Rate([true, false, null]));
        Assert.Null(Stats.Mean([null, null]));
        // numpy.quantile([1,2,3,4,5], 0.05) = 1.2
        Assert.Equal(1.2, Stats.Quantile([5, 3, 1, 2, 4], 0.05)!.Value, 12);
    }
}
