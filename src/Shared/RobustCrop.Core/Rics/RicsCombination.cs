namespace RobustCrop.Core.Rics;

/// <summary>
/// The weights of a combining RICS mode (DESIGN §5b) over the n×n candidates of one frame. Pure arithmetic on window
/// offsets and hashes; <see cref="RicsSelector.Members"/> applies it to a scene.
/// </summary>
/// <remarks>
/// Why a tent over an absolute hash threshold. A 1-px axis shift slides the window by one step: one column of candidates
/// leaves, one enters, every other candidate's offset in the window changes by one. <b>mean-all</b> gives every candidate
/// 1/n², so the leaving and entering columns move weight 2/n in L1 and the combined embedding moves by at most
/// ½·(2/n)·D = D/n, D being the largest distance between two candidates' (normalised) outputs. <b>soft k</b> keeps n²
/// forwards down to k: a candidate belongs when its hash is in the top k/n² of the hash range — a function of its pixels
/// alone, so a realistic shift never changes who belongs (unlike top-k by rank, where one entering candidate pushes a
/// central one out). Members are weighted by the tent t(i) = h+1−|i| (h = (n−1)/2) of their offsets, t(dx)·t(dy), which is
/// 1 on the window's edge and 0 just outside it, so the members that enter or leave do so with the least weight. A shift
/// along x changes every member's weight by exactly t(dy), so with W = Σ t(dx)t(dy) the normalised weights move by
/// at most 2·Σ t(dy)/W in L1 and
/// <code>‖e' − e‖ ≤ (Σ t(dy) / Σ t(dx)t(dy)) · D</code>
/// (Σ of weight changes is zero, so the combination moves by half the L1 change times D). With members spread evenly,
/// the factor's expectation is 1 / mean(t) = n/(h+1)² = 4n/(n+1)² (0.36 at n = 9). That is a worst case over the members'
/// outputs; the aliasing noise of a CNN's output is close to independent per position, so its part of the change shrinks
/// like the root of Σ(Δw)², about 1/√k of the plain model's per-position noise. A frame without any member (probability
/// about e^−k) falls back to the select choice.
/// <para>
/// <b>block b</b> takes the other road: instead of members far apart (whose change under a shift is the tent's step),
/// b×b <i>adjacent</i> candidates at the window's centre, offsets lo..lo+b−1 with lo = −⌊(b−1)/2⌋ (b = 2: 0 and 1),
/// weight 1/b² each, no hash. A 1-px axis shift keeps b(b−1) of them and swaps one row or column of b: ‖Δw‖₁ = 2/b, so
/// <code>‖e' − e‖ ≤ D/b</code>
/// (a diagonal shift swaps 2b−1: ≤ (2b−1)/b² · D). Split an output into a smooth part (the content's own motion) and
/// per-position aliasing noise of variance σ² per output, independent between positions. The smooth part of the change
/// equals the plain model's 1-px change (a block mean of a linear trend moves by the trend's step). The noise part has
/// variance σ²·Σ Δw² = σ²·2b/b⁴ against the plain model's 2σ²: a share 1/b³ (1/8 at b = 2) of its squared change along
/// an axis, 2(2b−1)/b⁴ / 2 = 3/16 on a diagonal. Since 1 − cos is half the squared change of unit vectors, the block keeps
/// the plain model's change where content moves and removes most of the aliasing part. Cost b² forwards, exactly.
/// </para>
/// </remarks>
public static class RicsCombination
{
    /// <summary>The tent weight of offset <paramref name="offset"/> (−h..h) in a window of half-width <paramref name="half"/>.</summary>
    public static int Tent(int offset, int half) => Math.Max(0, half + 1 - Math.Abs(offset));

    /// <summary>The expected bound factor of soft modes, n/(h+1)²: the weight one 1-px axis shift moves per unit of spread.</summary>
    public static double ExpectedMovedMass(int n)
    {
        double h1 = (n - 1) / 2.0 + 1;
        return n / (h1 * h1);
    }

    /// <summary>The offsets (both axes) of block b's candidates in a window of half-width <paramref name="half"/>: lo..lo+b−1
    /// with lo = −⌊(b−1)/2⌋, clipped to −h..h (a window narrower than the block holds what fits).</summary>
    public static (int From, int To) BlockOffsets(int side, int half)
    {
        int from = -((side - 1) / 2);
        return (Math.Max(from, -half), Math.Min(from + side - 1, half));
    }

    /// <summary>The share 1/b³ of the plain model's squared 1-px axis change that independent per-position noise keeps
    /// under block b: Σ Δw² = 2b/b⁴ against the plain model's 2.</summary>
    public static double BlockNoiseShare(int side) => 1.0 / ((double)side * side * side);

    /// <summary>The hash a candidate must reach to belong to soft k in an n×n window: the top k/n² of the 64-bit range.</summary>
    public static ulong Threshold(int k, int n)
    {
        double share = Math.Min(1.0, (double)k / ((double)n * n));
        if (share >= 1.0) return 0;
        // 2^64 · (1 − share), computed in doubles (the threshold only needs to be a fixed function of k and n).
        return (ulong)((1.0 - share) * 18446744073709551616.0);
    }
}
