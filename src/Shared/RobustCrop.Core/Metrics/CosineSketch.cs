namespace RobustCrop.Core.Metrics;

/// <summary>
/// A mergeable summary of cosine values (in [−1, 1], a little beyond for float rounding) that answers quantiles in bounded
/// memory, so a run's p05 is computed without holding every image's cosine.
/// <para>Up to <see cref="ExactCapacity"/> values it keeps them all and <see cref="Quantile"/> equals
/// <see cref="Stats.Quantile"/> exactly. Beyond that it keeps counts in logarithmic buckets of the distance
/// y = 1 − cos (a relative-accuracy sketch: the buckets are finest where cosines crowd, near 1). Each order statistic x is
/// then answered by a value x̂ with |x̂ − x| ≤ <see cref="RelativeAccuracy"/> · |1 − x| + <see cref="ZeroWidth"/>, and the
/// interpolated quantile between neighbours x_lo, x_hi is within RelativeAccuracy · max(|1 − x_lo|, |1 − x_hi|) + ZeroWidth
/// (<see cref="ErrorBound"/>). Ranks are exact in both modes; only values are rounded to their bucket.</para>
/// <para>Memory: at most two arrays of <see cref="BucketsPerSide"/> counts (about 0.9 MB each), whatever the number of
/// values. Merging is order-independent: bucket counts add, and exact values are sorted before answering.</para>
/// </summary>
public sealed class CosineSketch
{
    /// <summary>Values kept exactly before switching to buckets: 64 Ki doubles (512 KiB).</summary>
    public const int ExactCapacity = 1 << 16;

    /// <summary>α: a bucketed value is within α · |1 − cos| of the true one.</summary>
    public const double RelativeAccuracy = 1e-4;

    /// <summary>|1 − cos| below this lands in one zero bucket answered as 1 (absolute error below it).</summary>
    public const double ZeroWidth = 1e-9;

    /// <summary>|1 − cos| above this (cosines below −3, which normalised vectors never give) is clamped to the last bucket.</summary>
    public const double MaxDistance = 4;

    private static readonly double Gamma = (1 + RelativeAccuracy) / (1 - RelativeAccuracy);
    private static readonly double LogGamma = Math.Log(Gamma);
    // Bucket i (1-based) holds distances in (ZeroWidth·γ^(i−1), ZeroWidth·γ^i].
    public static readonly int BucketsPerSide = (int)Math.Ceiling(Math.Log(MaxDistance / ZeroWidth) / LogGamma) + 1;

    private double[]? _exact = new double[64];
    private int _exactCount;
    // Distances 1 − cos > 0 (cos below 1) and < 0 (cos above 1, float rounding); index 0 is unused.
    private long[]? _below;
    private long[]? _above;
    private long _zero;

    /// <summary>Values added (merged ones included).</summary>
    public long Count { get; private set; }

    /// <summary>True while every value is kept and quantiles are exact.</summary>
    public bool IsExact => _exact is not null;

    public void Add(double cosine)
    {
        Count++;
        if (_exact is not null)
        {
            if (_exactCount < ExactCapacity)
            {
                if (_exactCount == _exact.Length) Array.Resize(ref _exact, Math.Min(ExactCapacity, _exact.Length * 2));
                _exact[_exactCount++] = cosine;
                return;
            }
            ToBuckets();
        }
        AddToBucket(cosine, 1);
    }

    /// <summary>Adds everything <paramref name="other"/> holds; <paramref name="other"/> is unchanged.</summary>
    public void Merge(CosineSketch other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (ReferenceEquals(other, this)) throw new ArgumentException("a sketch cannot merge itself", nameof(other));
        if (other._exact is not null)
        {
            // Add keeps this exact while there is room and switches to buckets when there is not.
            for (int i = 0; i < other._exactCount; i++) Add(other._exact[i]);
            return;
        }
        if (_exact is not null) ToBuckets();
        _zero += other._zero;
        AddCounts(ref _below, other._below);
        AddCounts(ref _above, other._above);
        Count += other.Count;
    }

    /// <summary>The q-quantile with linear interpolation between order statistics (numpy's "linear"); null when empty.
    /// Exact while <see cref="IsExact"/>, else within <see cref="ErrorBound"/> of the exact one.</summary>
    public double? Quantile(double q)
    {
        if (Count == 0) return null;
        if (_exact is not null) return Stats.Quantile(_exact.AsSpan(0, _exactCount).ToArray(), q);
        double pos = q * (Count - 1);
        long lo = (long)Math.Floor(pos);
        long hi = Math.Min(lo + 1, Count - 1);
        double a = OrderStatistic(lo), b = OrderStatistic(hi);
        return a + (pos - lo) * (b - a);
    }

    /// <summary>The documented bound on |Quantile(q) − exact| when the exact neighbouring order statistics are
    /// <paramref name="lo"/> and <paramref name="hi"/> (0 while <see cref="IsExact"/>).</summary>
    public double ErrorBound(double lo, double hi)
        => IsExact ? 0 : RelativeAccuracy * Math.Max(Math.Abs(1 - lo), Math.Abs(1 - hi)) + ZeroWidth;

    /// <summary>The value answered for the rank-<paramref name="rank"/> value (0-based, ascending cosine).</summary>
    private double OrderStatistic(long rank)
    {
        // Ascending cosine is descending distance: far-below-1 buckets first, then the zero bucket, then above 1.
        long seen = 0;
        if (_below is not null)
        {
            for (int i = _below.Length - 1; i >= 1; i--)
            {
                seen += _below[i];
                if (rank < seen) return 1 - Representative(i);
            }
        }
        seen += _zero;
        if (rank < seen) return 1;
        if (_above is not null)
        {
            for (int i = 1; i < _above.Length; i++)
            {
                seen += _above[i];
                if (rank < seen) return 1 + Representative(i);
            }
        }
        throw new InvalidOperationException("rank beyond the sketch's count");
    }

    // The point of (ZeroWidth·γ^(i−1), ZeroWidth·γ^i] whose relative distance to both ends is α: 2·γ^i/(γ+1)·ZeroWidth.
    private static double Representative(int i) => ZeroWidth * 2 * Math.Pow(Gamma, i) / (Gamma + 1);

    private void ToBuckets()
    {
        var values = _exact!;
        int n = _exactCount;
        _exact = null;
        _exactCount = 0;
        for (int i = 0; i < n; i++) AddToBucket(values[i], 1);
    }

    private void AddToBucket(double cosine, long count)
    {
        double distance = 1 - cosine;
        double magnitude = Math.Abs(distance);
        if (!(magnitude >= ZeroWidth))
        {
            // NaN would have no place in any order; it is counted at 1 rather than lost (cosines are never NaN).
            _zero += count;
            return;
        }
        int index = magnitude >= MaxDistance
            ? BucketsPerSide - 1
            : Math.Clamp((int)Math.Ceiling(Math.Log(magnitude / ZeroWidth) / LogGamma), 1, BucketsPerSide - 1);
        ref long[]? side = ref distance > 0 ? ref _below : ref _above;
        side ??= new long[BucketsPerSide];
        side[index] += count;
    }

    private static void AddCounts(ref long[]? into, long[]? from)
    {
        if (from is null) return;
        into ??= new long[BucketsPerSide];
        for (int i = 0; i < from.Length; i++) into[i] += from[i];
    }
}
