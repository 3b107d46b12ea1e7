using RobustCrop.Core.Metrics;

namespace RobustCrop.Core.Tests.Metrics;

/// <summary>The sketch is exact while small and within its documented bound beyond, with bounded memory and merges that
/// do not depend on order.</summary>
public sealed class CosineSketchTests
{
    private static double[] Cosines(int n, int seed)
    {
        // Cosines as models give them: most near 1 (distances spread over many decades), some far, a few a hair above 1.
        var rng = new Random(seed);
        var values = new double[n];
        for (int i = 0; i < n; i++)
        {
            double u = rng.NextDouble();
            values[i] = u < 0.02 ? 1 + rng.NextDouble() * 1e-6
                : u < 0.1 ? rng.NextDouble() * 2 - 1
                : 1 - Math.Pow(10, -1 - rng.NextDouble() * 10);
        }
        return values;
    }

    private static (double Lo, double Hi) Neighbours(double[] values, double q)
    {
        var sorted = values.Order().ToArray();
        double pos = q * (sorted.Length - 1);
        int lo = (int)Math.Floor(pos);
        return (sorted[lo], sorted[Math.Min(lo + 1, sorted.Length - 1)]);
    }

    [Fact]
    public void Up_to_the_exact_capacity_the_quantile_is_the_exact_one()
    {
        var values = Cosines(CosineSketch.ExactCapacity, 1);
        var sketch = new CosineSketch();
        foreach (var v in values) sketch.Add(v);
        Assert.True(sketch.IsExact);
        foreach (double q in new[] { 0.0, 0.05, 0.5, 1.0 })
            Assert.Equal(Stats.Quantile(values, q), sketch.Quantile(q));
        Assert.Null(new CosineSketch().Quantile(0.05));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.05)]
    [InlineData(0.5)]
    [InlineData(0.97)]
    [InlineData(1.0)]
    public void Beyond_it_every_quantile_is_within_the_documented_bound(double q)
    {
        var values = Cosines(300_000, 2);
        var sketch = new CosineSketch();
        foreach (var v in values) sketch.Add(v);
        Assert.False(sketch.IsExact);
        Assert.Equal(values.Length, sketch.Count);

        double exact = Stats.Quantile(values, q)!.Value;
        var (lo, hi) = Neighbours(values, q);
        double bound = sketch.ErrorBound(lo, hi);
        double error = Math.Abs(sketch.Quantile(q)!.Value - exact);
        Assert.True(error <= bound, $"q={q}: |{sketch.Quantile(q)} - {exact}| = {error} > bound {bound}");
        // The bound is the relative one, not a loose absolute one: near 1 it is tiny.
        Assert.True(bound <= CosineSketch.RelativeAccuracy * Math.Max(Math.Abs(1 - lo), Math.Abs(1 - hi)) + CosineSketch.ZeroWidth);
    }

    [Fact]
    public void A_bucket_answers_each_value_within_alpha_times_its_distance_to_one()
    {
        // One value at a time, so the answer is that value's bucket: the bound holds for every value, not on average.
        foreach (double y in new[] { 2.0, 1.0, 0.3, 1e-2, 3.3e-5, 1e-8, 2e-9, -1e-7, -5e-9 })
        {
            var sketch = new CosineSketch();
            for (int i = 0; i <= CosineSketch.ExactCapacity; i++) sketch.Add(1 - y);
            Assert.False(sketch.IsExact);
            double answer = sketch.Quantile(0.5)!.Value;
            Assert.True(Math.Abs(answer - (1 - y)) <= CosineSketch.RelativeAccuracy * Math.Abs(y) + 1e-15, $"y={y}: answered {answer}");
        }
    }

    [Fact]
    public void Merging_partial_sketches_in_any_order_equals_one_sketch_of_all_values()
    {
        var values = Cosines(200_000, 3);
        var whole = new CosineSketch();
        foreach (var v in values) whole.Add(v);
        // Parts of very different sizes: some stay exact, some are bucketed before the merge.
        int[] cuts = [0, 10, 40_000, 41_000, 150_000, values.Length];
        var parts = new List<CosineSketch>();
        for (int i = 0; i + 1 < cuts.Length; i++)
        {
            var part = new CosineSketch();
            for (int j = cuts[i]; j < cuts[i + 1]; j++) part.Add(values[j]);
            parts.Add(part);
        }
        var forward = new CosineSketch();
        foreach (var p in parts) forward.Merge(p);
        var backward = new CosineSketch();
        foreach (var p in Enumerable.Reverse(parts)) backward.Merge(p);

        Assert.Equal(whole.Count, forward.Count);
        foreach (double q in new[] { 0.01, 0.05, 0.5 })
        {
            Assert.Equal(whole.Quantile(q), forward.Quantile(q));
            Assert.Equal(whole.Quantile(q), backward.Quantile(q));
        }
    }

    [Fact]
    public void Two_small_sketches_merge_into_an_exact_one()
    {
        var a = new CosineSketch();
        var b = new CosineSketch();
        foreach (var v in new[] { 0.9, 0.5, 0.99 }) a.Add(v);
        foreach (var v in new[] { 0.1, 1.0 }) b.Add(v);
        a.Merge(b);
        Assert.True(a.IsExact);
        Assert.Equal(5, a.Count);
        Assert.Equal(Stats.Quantile([0.9, 0.5, 0.99, 0.1, 1.0], 0.05), a.Quantile(0.05));
    }

    [Fact]
    public void Memory_is_bounded_whatever_the_count()
        => Assert.InRange(CosineSketch.BucketsPerSide * sizeof(long) * 2, 1, 2 * 1024 * 1024);
}
