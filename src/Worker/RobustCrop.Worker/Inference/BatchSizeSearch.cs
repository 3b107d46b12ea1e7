using System.Collections.Immutable;
using System.Globalization;

namespace RobustCrop.Worker.Inference;

/// <summary>One measured batch size: seconds per call (the median of a few calls).</summary>
public readonly record struct BatchLatency(int Batch, double Seconds);

/// <summary>The batch <c>--batch auto</c> chose and every latency it measured on the way (logged at start-up).</summary>
public sealed record BatchChoice(int Batch, ImmutableArray<BatchLatency> Measured, string Why)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"batch {Batch} ({Why}; ms per call: {string.Join(", ", Measured.Select(m => $"{m.Batch}: {m.Seconds * 1000:F2}"))})");
}

/// <summary>
/// <c>--batch auto</c>: the largest power of two before the device's latency starts to scale linearly with the batch.
/// An accelerator's latency stays nearly flat while it has idle units (doubling the batch nearly doubles throughput),
/// then grows in proportion once it is full (doubling the batch only doubles the latency, and the memory). Starting at 1,
/// the batch is doubled while the doubled batch takes less than <see cref="LinearShare"/> of twice the time, i.e. while
/// doubling still buys more than about 10% throughput; the first batch whose doubling costs within 10% of linear
/// scaling is chosen. Bounded by <c>max</c>, and a size that fails (out of device memory) ends the search at the last
/// one that ran.
/// </summary>
/// <remarks>Pure: the measurement is injected, so the rule is tested on synthetic latency curves with known answers.</remarks>
public static class BatchSizeSearch
{
    /// <summary>A doubling whose latency is at least 90% of 2× the previous one counts as linear scaling.</summary>
    public const double LinearShare = 0.9;

    public static BatchChoice Choose(Func<int, double> secondsPerCall, int max)
    {
        ArgumentNullException.ThrowIfNull(secondsPerCall);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        var measured = ImmutableArray.CreateBuilder<BatchLatency>();
        int b = 1;
        double latency = secondsPerCall(1);
        measured.Add(new(1, latency));
        while (true)
        {
            if (2L * b > max) return new(b, measured.ToImmutable(), $"the limit {max}");
            double doubled;
            try { doubled = secondsPerCall(2 * b); }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return new(b, measured.ToImmutable(), $"batch {2 * b} failed: {e.Message.Split('\n')[0].Trim()}");
            }
            measured.Add(new(2 * b, doubled));
            if (doubled >= LinearShare * 2 * latency)
                return new(b, measured.ToImmutable(), $"doubling to {2 * b} scales linearly ({doubled / latency:F2}x the time)");
            b *= 2;
            latency = doubled;
        }
    }
}
