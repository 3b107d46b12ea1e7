using RobustCrop.Worker.Inference;

namespace RobustCrop.Worker.Tests.Inference;

/// <summary>The <c>--batch auto</c> rule on synthetic latency curves whose knee is known.</summary>
public class BatchSizeSearchTests
{
    [Fact]
    public void A_device_that_is_flat_until_64_and_linear_after_gets_64()
    {
        // 2 ms per call while under-used, then 2 ms per 64 crops: the knee is at 64.
        static double Gpu(int b) => 0.002 * Math.Max(1.0, b / 64.0);

        var choice = BatchSizeSearch.Choose(Gpu, max: 4096);

        Assert.Equal(64, choice.Batch);
        Assert.Equal([1, 2, 4, 8, 16, 32, 64, 128], choice.Measured.Select(m => m.Batch));
        Assert.Contains("doubling to 128 scales linearly", choice.Why);
    }

    [Fact]
    public void A_smooth_curve_stops_where_a_doubling_first_costs_within_ten_percent_of_twice_the_time()
    {
        // Fixed launch cost 1 ms + 0.05 ms per crop: the ratio t(2b)/t(b) = (1 + 0.1b)/(1 + 0.05b) first reaches 1.8 at b = 80,
        // so 64 -> 128 (ratio (1 + 6.4)/(1 + 3.2) = 1.76) still doubles, and 128 -> 256 ((1 + 12.8)/(1 + 6.4) = 1.86) does not.
        static double Curve(int b) => 0.001 + 0.00005 * b;

        Assert.Equal(128, BatchSizeSearch.Choose(Curve, max: 4096).Batch);
    }

    [Fact]
    public void A_cpu_whose_latency_is_linear_from_the_start_gets_one()
        => Assert.Equal(1, BatchSizeSearch.Choose(b => 0.01 * b, max: 4096).Batch);

    [Fact]
    public void The_limit_bounds_the_search_and_is_named()
    {
        var choice = BatchSizeSearch.Choose(_ => 0.001, max: 100);

        Assert.Equal(64, choice.Batch);
        Assert.Equal("the limit 100", choice.Why);
        Assert.Equal(7, choice.Measured.Length);
    }

    [Fact]
    public void A_batch_that_fails_ends_the_search_at_the_last_one_that_ran()
    {
        var choice = BatchSizeSearch.Choose(b => b > 16 ? throw new InvalidOperationException("out of memory\nat native frame") : 0.001, max: 4096);

        Assert.Equal(16, choice.Batch);
        Assert.Equal("batch 32 failed: out of memory", choice.Why);
        Assert.Contains("batch 16 (batch 32 failed: out of memory; ms per call: 1: 1.00, 2: 1.00", choice.ToString());
    }
}
