using RobustCrop.Core.Results;

namespace RobustCrop.Core.Tests.Results;

/// <summary>changed_1px at several τ at once, counted from each image's cosine_1px_min.</summary>
public class ModelAccumulatorTauTests
{
    private static ImageColumns Image(double cosine, int shifts = 8, double? mean = null)
        => ImageColumns.Of([new ImageRow("r", 0, "d/1", null, "m", 64, 64, 64, 64, 9, null, null, null, null, shifts, null, null,
            0, 0, null, cosine, cosine < 0.99, 0, null, null, 1, false, Cosine1pxMean: mean)]);

    [Fact]
    public void Every_tau_counts_the_measured_images_below_it_and_the_first_is_changed_1px()
    {
        var acc = new ModelAccumulator([0.95, 0.5]);
        foreach (double c in new[] { 0.999, 0.97, 0.8, 0.4 }) acc.AddAll(Image(c));
        acc.AddAll(Image(0.1, shifts: 0)); // no room for a shift: not measured, at no τ

        var r = acc.ToSummary("m", "d", 0.99, null, null, null).Realistic;

        Assert.Equal(new ChangedSummary(0.99, 0.75), r.Changed1px);
        Assert.Equal([new(0.99, 0.75), new(0.95, 0.5), new(0.5, 0.25)], r.Changed1pxByTau!);
        Assert.Null(r.NnChanged1px);
    }

    [Fact]
    public void Merged_accumulators_count_as_one()
    {
        var a = new ModelAccumulator([0.5]);
        var b = new ModelAccumulator([0.5]);
        a.AddAll(Image(0.4));
        b.AddAll(Image(0.6));
        b.AddAll(Image(0.3));
        a.Merge(b);

        Assert.Equal(2.0 / 3, a.ToSummary("m", "d", 0.99, null, null, null).Realistic.Changed1pxByTau![1].Rate!.Value, 12);
        Assert.Throws<ArgumentException>(() => a.Merge(new ModelAccumulator()));
    }

    [Fact]
    public void Cosine_1px_mean_is_averaged_over_the_measured_images_and_merges()
    {
        var a = new ModelAccumulator();
        var b = new ModelAccumulator();
        a.AddAll(Image(0.9, mean: 0.99));
        a.AddAll(Image(1, shifts: 0, mean: null)); // not measured
        b.AddAll(Image(0.5, mean: 0.93));
        Assert.Equal(0.99, a.ToSummary("m", "d", 0.99, null, null, null).Realistic.Mean("cosine_1px_mean"));

        a.Merge(b);
        var r = a.ToSummary("m", "d", 0.99, null, null, null).Realistic;

        Assert.Equal(0.96, r.Mean("cosine_1px_mean")!.Value, 12);
        Assert.Contains("\"cosine_1px_mean\": 0.96", RunSummaryIo.Serialize(new RunSummary("r", "d", 2, 0,
            [a.ToSummary("m", "d", 0.99, null, null, null)])), StringComparison.Ordinal);
        // No measured image: the key is there, with null.
        Assert.Null(new ModelAccumulator().ToSummary("m", "d", 0.99, null, null, null).Realistic.Mean("cosine_1px_mean"));
        Assert.True(new ModelAccumulator().ToSummary("m", "d", 0.99, null, null, null).Realistic.Means!.ContainsKey("cosine_1px_mean"));
    }
}
