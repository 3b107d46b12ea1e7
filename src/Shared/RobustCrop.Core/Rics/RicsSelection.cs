using System.Collections.Immutable;
using System.Text.Json.Serialization;

namespace RobustCrop.Core.Rics;

/// <summary>
/// One RICS setting as it appears in results: a kind and its window n (cyclic: the crop size C, known once the model
/// is). It carries its bound, so nothing restates the formula.
/// </summary>
/// <param name="Mode">How the window's candidates become one output (DESIGN §5b); default: select.</param>
public readonly record struct RicsSetting(RicsScore Score, int Window, RicsMode Mode = default)
{
    public string Name => RicsScores.Name(Score);

    /// <summary>The rics rows' <c>mode</c> value.</summary>
    public string ModeName => Mode.Name;

    /// <summary>Forwards one deployed frame costs (cyclic RICS: one, the canonical roll).</summary>
    public double ForwardsPerFrame => IsCyclic ? 1 : Mode.ForwardsPerFrame(Window);

    public bool IsCyclic => Score == RicsScore.Cyclic;

    /// <summary>
    /// The single-axis one-pixel consistency bound (n−1)/(n+1) of a realistic setting (proven for hash; the same
    /// reference line is reported for dog); cyclic RICS is exact under integer cyclic shifts.
    /// </summary>
    public double AxisBound => IsCyclic ? 1.0 : RicsScores.AxisBound(Window);
}

/// <summary>
/// Which RICS a run evaluates (DESIGN §5), all three kinds in one typed setting: every realistic score in
/// <see cref="Scores"/> at every window of <see cref="Windows"/>, then cyclic RICS when <see cref="Scores"/> holds it.
/// </summary>
public sealed record RicsSelection
{
    /// <summary>The hash score's seed when none is given: fixed, so runs are reproducible.</summary>
    public const ulong DefaultSeed = 0x52494353_00000001UL;

    public static RicsSelection None { get; } = new();

    /// <summary>Odd windows n of the realistic scores, in the order given.</summary>
    public ImmutableArray<int> Windows { get; init; } = [];

    /// <summary>Distinct kinds; the realistic ones apply to every window, <see cref="RicsScore.Cyclic"/> adds cyclic RICS.</summary>
    public ImmutableArray<RicsScore> Scores { get; init; } = [RicsScore.Hash];

    public ulong Seed { get; init; } = DefaultSeed;

    /// <summary>Also select on every frame of W_k (fooled_window for RICS); N1 only otherwise.</summary>
    public bool WindowFrames { get; init; }

    /// <summary>Representation modes (DESIGN §5b) of the realistic settings: select for every score; the combining modes
    /// (soft k, mean-all) for the hash score, whose membership threshold they read.</summary>
    public ImmutableArray<RicsMode> Modes { get; init; } = [RicsMode.Select];

    public bool Cyclic => Scores.Contains(RicsScore.Cyclic);

    [JsonIgnore] // derived; the serializer skips get-only members, but not get-only sequences
    public IEnumerable<RicsScore> RealisticScores => Scores.Where(RicsScores.IsRealistic);

    /// <summary>True when realistic RICS runs: some window and some realistic score.</summary>
    public bool AnyRealistic => Windows.Length > 0 && RealisticScores.Any();

    public bool Any => AnyRealistic || Cyclic;

    /// <summary>The realistic settings in the order their rows are written: windows outer, scores inner (select), then the
    /// window's combining modes under the hash score.</summary>
    [JsonIgnore]
    public IEnumerable<RicsSetting> RealisticSettings
        => Windows.SelectMany(n => RealisticScores.Where(_ => Modes.Contains(RicsMode.Select)).Select(score => new RicsSetting(score, n))
            .Concat(RealisticScores.Contains(RicsScore.Hash)
                ? Modes.Where(m => !m.IsSelect).Select(m => new RicsSetting(RicsScore.Hash, n, m))
                : []));

    /// <summary>The selection a command line asks for: realistic <paramref name="scores"/> at <paramref name="windows"/>, plus cyclic.</summary>
    public static RicsSelection Of(IEnumerable<int> windows, IEnumerable<RicsScore> scores, bool cyclic, ulong seed = DefaultSeed, bool windowFrames = false,
        IEnumerable<RicsMode>? modes = null)
        => new()
        {
            Windows = [.. windows.Distinct()],
            Scores = [.. scores.Where(RicsScores.IsRealistic).Distinct(), .. cyclic ? [RicsScore.Cyclic] : Array.Empty<RicsScore>()],
            Seed = seed,
            WindowFrames = windowFrames,
            Modes = modes is null ? [RicsMode.Select] : [.. modes.Distinct()],
        };

    // ImmutableArray compares by reference; a setting is its values.
    public bool Equals(RicsSelection? other)
        => other is not null && Windows.SequenceEqual(other.Windows) && Scores.SequenceEqual(other.Scores)
           && Seed == other.Seed && WindowFrames == other.WindowFrames && Modes.SequenceEqual(other.Modes);

    public override int GetHashCode() => HashCode.Combine(Windows.Length, Scores.Length, Seed, WindowFrames);
}
