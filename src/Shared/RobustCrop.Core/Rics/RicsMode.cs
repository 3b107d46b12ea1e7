using System.Globalization;

namespace RobustCrop.Core.Rics;

/// <summary>How a realistic RICS setting turns its window's candidates into one output (DESIGN §5b).</summary>
public enum RicsModeKind
{
    /// <summary>The best-scoring candidate's output: 1 forward per frame; a 1-px axis shift keeps the crop with
    /// probability at least (n−1)/(n+1) under the hash score, but when it does not, the crop jumps by several pixels.</summary>
    Select,

    /// <summary>
    /// The tent-weighted mean over a content-chosen sparse subset of the window (<see cref="RicsCombination"/>): a candidate
    /// belongs when its hash lies in the top k/n² of the hash range (an absolute threshold, a function of the crop's pixels
    /// alone, so a shift never changes who belongs, only where the window's tent sits). k forwards per frame on average.
    /// </summary>
    Soft,

    /// <summary>The uniform mean over all n² candidates: n² forwards per frame, the reference end point of the trade-off.</summary>
    MeanAll,

    /// <summary>
    /// The uniform mean over a b×b block of adjacent candidates at the window's centre (<see cref="RicsCombination.BlockOffsets"/>):
    /// a 1-px axis shift keeps b(b−1) of the b² crops, so the change is one row or column of b crops (b² forwards per frame, exactly).
    /// </summary>
    Block,

    /// <summary>
    /// The uniform mean over b candidates, one in each row and each column of a b×b block at the window's centre
    /// (<see cref="RicsCombination.RookOffsets"/>): each axis sees b consecutive offsets, as block b's does, for b forwards
    /// instead of b². Aliasing that depends on the crop's column (or row) phase moves 1/b² of the plain model's squared change
    /// under a 1-px shift (block2: 1/4), at b forwards per frame, exactly.
    /// </summary>
    Rook,
}

/// <summary>One representation mode: its kind and, for <see cref="RicsModeKind.Soft"/>, the expected members k.</summary>
public readonly record struct RicsMode(RicsModeKind Kind, int K = 0)
{
    public static RicsMode Select { get; } = new(RicsModeKind.Select);

    public static RicsMode MeanAll { get; } = new(RicsModeKind.MeanAll);

    public static RicsMode Soft(int k) => new(RicsModeKind.Soft, k);

    public static RicsMode Block(int side) => new(RicsModeKind.Block, side);

    public static RicsMode Rook(int side) => new(RicsModeKind.Rook, side);

    /// <summary>Every mode this build has, in the order <c>--rics-mode all</c> runs them.</summary>
    public static IReadOnlyList<RicsMode> All { get; } = [Select, Soft(2), Soft(4), Soft(8), Block(2), Rook(4), MeanAll];

    /// <summary>The rics rows' <c>mode</c> value: "select", "soft4", "block2", "rook4", "mean-all".</summary>
    public string Name => Kind switch
    {
        RicsModeKind.Select => "select",
        RicsModeKind.MeanAll => "mean-all",
        RicsModeKind.Block => "block" + K.ToString(CultureInfo.InvariantCulture),
        RicsModeKind.Rook => "rook" + K.ToString(CultureInfo.InvariantCulture),
        _ => "soft" + K.ToString(CultureInfo.InvariantCulture),
    };

    public bool IsSelect => Kind == RicsModeKind.Select;

    /// <summary>Forwards one deployed frame costs with an n×n window: 1, n², b² (block; min(b, n)² when the window is
    /// narrower than the block), b (rook; those of its b that fit a narrower window), or k on average (soft).</summary>
    public double ForwardsPerFrame(int n) => Kind switch
    {
        RicsModeKind.Select => 1,
        RicsModeKind.MeanAll => (double)n * n,
        RicsModeKind.Block => (double)Math.Min(K, n) * Math.Min(K, n),
        RicsModeKind.Rook => RicsCombination.RookOffsets(K, (n - 1) / 2).Count,
        _ => Math.Min(K, n * n),
    };

    /// <summary>The mode's guarantee in words, as predict prints it and the report footnotes it.</summary>
    public string Guarantee(int n) => Kind switch
    {
        RicsModeKind.Select => string.Create(CultureInfo.InvariantCulture,
            $"a 1-px axis shift keeps the selected crop with probability >= (n-1)/(n+1) = {RicsScores.AxisBound(n):0.000} (hash)"),
        RicsModeKind.MeanAll => string.Create(CultureInfo.InvariantCulture,
            $"a 1-px axis shift swaps one row/column of the {n}x{n} candidates: ||e' - e|| <= (1/{n}) * max spread of the candidates' embeddings"),
        RicsModeKind.Block => BlockGuarantee(Math.Min(K, n)),
        RicsModeKind.Rook => RookGuarantee(RicsCombination.RookOffsets(K, (n - 1) / 2).Count),
        _ => string.Create(CultureInfo.InvariantCulture,
            $"members are fixed by content; a 1-px axis shift moves the tent by one step: ||e' - e|| <= {RicsCombination.ExpectedMovedMass(n):0.000} * max spread of the members' embeddings (expected weight moved, n = {n})"),
    };

    private static string BlockGuarantee(int b) => b < 2
        ? "the window holds one candidate: the plain model's crop"
        : string.Create(CultureInfo.InvariantCulture,
            $"a 1-px axis shift keeps {b * (b - 1)} of the {b * b} adjacent crops and swaps one row/column: ||e' - e|| <= (1/{b}) * max spread of the block's embeddings; independent per-crop aliasing noise moves {RicsCombination.BlockNoiseShare(b):0.000} of the plain model's squared change");

    private static string RookGuarantee(int b) => b < 2
        ? "the window holds one of its candidates: one crop"
        : string.Create(CultureInfo.InvariantCulture,
            $"a 1-px shift moves each of the {b} crops (one per row and column of a {b}x{b} block) by one pixel: ||e' - e|| <= the mean of the members' own 1-px changes; aliasing that follows the crop's column or row phase moves {RicsCombination.RookPhaseShare(b):0.000} of the plain model's squared change, per-position noise {1.0 / b:0.000}");

    /// <summary>One mode by name: select, mean-all, soft&lt;k&gt; (k ≥ 1), block&lt;b&gt; and rook&lt;b&gt; (b = 2..8).</summary>
    /// <exception cref="ArgumentException">Not a mode of this build; the message names the valid ones.</exception>
    public static RicsMode Parse(string text)
    {
        string t = text.Trim().ToLowerInvariant();
        if (t == "select") return Select;
        if (t is "mean-all" or "meanall") return MeanAll;
        if (t.StartsWith("soft", StringComparison.Ordinal)
            && int.TryParse(t.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out int k) && k is >= 1 and <= 64)
            return Soft(k);
        if (t.StartsWith("block", StringComparison.Ordinal)
            && int.TryParse(t.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out int b) && b is >= 2 and <= 8)
            return Block(b);
        if (t.StartsWith("rook", StringComparison.Ordinal)
            && int.TryParse(t.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out int r) && r is >= 2 and <= 8)
            return Rook(r);
        throw new ArgumentException($"RICS mode '{text}' is not one of: {string.Join(", ", All.Select(m => m.Name))}, all (soft<k> takes k = 1..64, block<b> and rook<b> b = 2..8)");
    }

    /// <summary>A comma-separated list: modes by name, or <c>all</c> for <see cref="All"/>; distinct, in the order given.</summary>
    public static IReadOnlyList<RicsMode> ParseList(string text)
    {
        var list = new List<RicsMode>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (string.Equals(part, "all", StringComparison.OrdinalIgnoreCase)) list.AddRange(All);
            else list.Add(Parse(part));
        }
        if (list.Count == 0) throw new ArgumentException($"needs at least one RICS mode: {string.Join(", ", All.Select(m => m.Name))}, all");
        return list.Distinct().ToList();
    }

    public override string ToString() => Name;
}
