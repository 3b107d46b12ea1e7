namespace RobustCrop.Core.Rics;

/// <summary>How RICS scores a candidate crop; every score depends on the crop's pixels only, never on its position.</summary>
public enum RicsScore
{
    /// <summary>Seeded 64-bit hash of the exact pixels: the provable one, (n−1)/(n+1) single-axis consistency.</summary>
    Hash,

    /// <summary>
    /// Band-pass (difference-of-Gaussians) response of the luminance at the crop's centre, at a scale tied to the window:
    /// smooth, so it degrades gracefully when pixels are not exactly equal, and with interior maxima at the window's scale.
    /// </summary>
    Dog,
}

public static class RicsScores
{
    public static string Name(RicsScore s) => s switch { RicsScore.Hash => "hash", RicsScore.Dog => "dog", _ => s.ToString() };

    public static RicsScore Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "hash" => RicsScore.Hash,
        "dog" or "bandpass" => RicsScore.Dog,
        _ => throw new ArgumentException($"RICS score '{text}' is not one of: hash, dog"),
    };

    /// <summary>DESIGN §5: the single-axis one-pixel consistency bound of hash RICS with an n×n window.</summary>
    public static double AxisBound(int n) => (n - 1.0) / (n + 1.0);

    /// <summary>Expected consistency over the 8 shifts of N1 (4 axis, 4 diagonal) for i.i.d. scores.</summary>
    public static double N1Bound(int n) => (4 * OverlapBound(n, 1, 0) + 4 * OverlapBound(n, 1, 1)) / 8;

    /// <summary>
    /// |A∩B| / |A∪B| of the candidate sets of a frame and its shift by (dx, dy): the chance that the maximum of
    /// i.i.d. scores over A∪B falls in the shared part, i.e. the consistency of hash RICS for that shift.
    /// </summary>
    public static double OverlapBound(int n, int dx, int dy)
    {
        long ox = Math.Max(0, n - Math.Abs(dx)), oy = Math.Max(0, n - Math.Abs(dy));
        long inter = ox * oy;
        long union = 2L * n * n - inter;
        return (double)inter / union;
    }
}
