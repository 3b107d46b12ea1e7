using System.Collections.Immutable;

namespace RobustCrop.Core.Rics;

/// <summary>
/// The RICS kinds (DESIGN §5): how a candidate crop is scored for realistic RICS — every score depends on the crop's
/// pixels only, never on its position — or cyclic RICS. One enum for all three, so a RICS setting is one typed value
/// and the rics rows' <c>score</c> column ("hash", "dog", "cyclic", "blob", "hessian") is always written from it. New kinds go at the
/// end: a kind's number travels in cluster messages.
/// </summary>
public enum RicsScore
{
    /// <summary>Seeded 64-bit hash of the exact pixels: the provable one, (n−1)/(n+1) single-axis consistency.</summary>
    Hash,

    /// <summary>
    /// Band-pass (difference-of-Gaussians) response of the luminance at the crop's centre, at a scale tied to the window:
    /// smooth, so it degrades gracefully when pixels are not exactly equal, and with interior maxima at the window's scale.
    /// </summary>
    Dog,

    /// <summary>Not a score of candidates: the canonical roll of the base crop (<see cref="CyclicCanonicalizer"/>), window = C.</summary>
    Cyclic,

    /// <summary>
    /// The DoG applied twice at σ = n/6 (<see cref="BlobScoreField"/>): a narrow band-pass at the window's scale, smooth
    /// enough that a sub-pixel camera move keeps the selection, with interior maxima at the window's scale.
    /// </summary>
    Blob,

    /// <summary>
    /// The determinant of the Hessian at σ = 0.55 n (<see cref="HessianScoreField"/>), the best of its peaks in the window:
    /// isolated blob peaks instead of the DoG's flat crests along edges, so a re-rendered view keeps the selection.
    /// </summary>
    Hessian,
}

public static class RicsScores
{
    /// <summary>The word that asks for every realistic score the build has (<c>--rics-score all</c>).</summary>
    public const string All = "all";

    /// <summary>Every realistic score, in the order <c>all</c> runs them.</summary>
    public static ImmutableArray<RicsScore> Realistic { get; } = [RicsScore.Hash, RicsScore.Dog, RicsScore.Blob, RicsScore.Hessian];

    public static string Name(RicsScore s) => s switch
    {
        RicsScore.Hash => "hash", RicsScore.Dog => "dog", RicsScore.Cyclic => "cyclic", RicsScore.Blob => "blob",
        RicsScore.Hessian => "hessian", _ => s.ToString(),
    };

    /// <summary>True for the scores of realistic RICS (hash, dog, blob, hessian): they pick a window position, cyclic picks a roll.</summary>
    public static bool IsRealistic(RicsScore s) => s is RicsScore.Hash or RicsScore.Dog or RicsScore.Blob or RicsScore.Hessian;

    /// <summary>A realistic score by name; cyclic RICS has flags of its own (--rics-cyclic, --cyclic).</summary>
    public static RicsScore Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "hash" => RicsScore.Hash,
        "dog" or "bandpass" => RicsScore.Dog,
        "blob" => RicsScore.Blob,
        "hessian" => RicsScore.Hessian,
        _ => throw new ArgumentException($"RICS score '{text}' is not one of: {string.Join(", ", Realistic.Select(Name))}"),
    };

    /// <summary>One name of a score list: a realistic score, or <c>all</c> for every one of them.</summary>
    public static IReadOnlyList<RicsScore> ParseOneOrAll(string text)
    {
        if (string.Equals(text.Trim(), All, StringComparison.OrdinalIgnoreCase)) return Realistic;
        try
        {
            return [Parse(text)];
        }
        catch (ArgumentException)
        {
            throw new ArgumentException($"RICS score '{text}' is not one of: {string.Join(", ", Realistic.Select(Name))}, {All}");
        }
    }

    /// <summary>DESIGN §5: the single-axis one-pixel consistency bound of hash RICS with an n×n window.</summary>
    /// <remarks>The one place this bound is written: the summary, the report and predict's guarantee all read it here.</remarks>
    public static double AxisBound(int n)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        return (n - 1.0) / (n + 1.0);
    }

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
