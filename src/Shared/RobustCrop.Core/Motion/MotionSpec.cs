using System.Collections.Immutable;
using System.Globalization;

namespace RobustCrop.Core.Motion;

/// <summary>The kinds of camera motion beyond integer shifts (DESIGN §4b).</summary>
public enum MotionKind { Subpixel, Rotate, Zoom, Jpeg, Noise }

/// <summary>
/// One <c>--motion</c> spec: a kind and its amount (δ scene pixels, θ degrees, scale s, JPEG quality q, σ grey levels).
/// </summary>
public readonly record struct MotionSpec(MotionKind Kind, double Amount)
{
    /// <summary>The one line a bad spec gets: every valid form with its range.</summary>
    public const string ValidForms =
        "subpixel:δ (scene pixels, 0–8), rotate:θ (degrees, 0–45), zoom:s (0.25–4), jpeg:q (integer 1–100) or noise:σ (grey levels, 0–128)";

    public string KindName => Kind switch
    {
        MotionKind.Subpixel => "subpixel",
        MotionKind.Rotate => "rotate",
        MotionKind.Zoom => "zoom",
        MotionKind.Jpeg => "jpeg",
        _ => "noise",
    };

    /// <summary>As typed on the command line and stored in the motion rows: "subpixel:0.5".</summary>
    public string Name => KindName + ":" + Amount.ToString("R", CultureInfo.InvariantCulture);

    public override string ToString() => Name;

    /// <summary>Parses one spec; throws <see cref="FormatException"/> with one line naming the valid forms.</summary>
    public static MotionSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string t = text.Trim();
        int colon = t.IndexOf(':', StringComparison.Ordinal);
        string kind = colon < 0 ? t : t[..colon].Trim().ToLowerInvariant();
        string amount = colon < 0 ? "" : t[(colon + 1)..].Trim();
        if (!double.TryParse(amount, NumberStyles.Float, CultureInfo.InvariantCulture, out double a) || !double.IsFinite(a))
            throw Bad(text);
        var spec = kind switch
        {
            "subpixel" when a is >= 0 and <= 8 => new MotionSpec(MotionKind.Subpixel, a),
            "rotate" when a is >= 0 and <= 45 => new MotionSpec(MotionKind.Rotate, a),
            "zoom" when a is >= 0.25 and <= 4 => new MotionSpec(MotionKind.Zoom, a),
            "jpeg" when a is >= 1 and <= 100 && a == Math.Floor(a) => new MotionSpec(MotionKind.Jpeg, a),
            "noise" when a is >= 0 and <= 128 => new MotionSpec(MotionKind.Noise, a),
            _ => (MotionSpec?)null,
        };
        return spec ?? throw Bad(text);
    }

    /// <summary>"subpixel:0.5,rotate:1": each spec once, in the order given; empty text gives none.</summary>
    public static ImmutableArray<MotionSpec> ParseList(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var specs = ImmutableArray.CreateBuilder<MotionSpec>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var spec = Parse(part);
            if (!specs.Contains(spec)) specs.Add(spec);
        }
        return specs.ToImmutable();
    }

    private static FormatException Bad(string text) => new($"bad motion '{text}': expected {ValidForms}");
}
