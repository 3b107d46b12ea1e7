namespace RobustCrop.Core.Metrics;

/// <summary>Aggregates of DESIGN §4 (per model): means, rates and quantiles over images.</summary>
public static class Stats
{
    /// <summary>Mean of the non-null values; null when there is none (a value that does not apply is never invented).</summary>
    public static double? Mean(IEnumerable<double?> values)
    {
        double sum = 0; long n = 0;
        foreach (var v in values) if (v is double d) { sum += d; n++; }
        return n == 0 ? null : sum / n;
    }

    public static double? Rate(IEnumerable<bool?> values) => Mean(values.Select(b => b is bool x ? (x ? 1.0 : 0.0) : (double?)null));

    /// <summary>Quantile with linear interpolation between order statistics (numpy's default, "linear").</summary>
    public static double? Quantile(IEnumerable<double> values, double q)
    {
        var sorted = values.ToArray();
        if (sorted.Length == 0) return null;
        Array.Sort(sorted);
        double pos = q * (sorted.Length - 1);
        int lo = (int)Math.Floor(pos);
        int hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
