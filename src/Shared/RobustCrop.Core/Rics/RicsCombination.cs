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
/// <para>
/// <b>rook b</b> keeps block b's rows and columns at b forwards instead of b²: b candidates, one in each row and each
/// column of the b×b block (<see cref="RookOffsets"/>), weight 1/b. Measured on natural photos, most of a CNN's 1-px
/// aliasing follows the crop's column phase (under an x shift) or row phase (under a y shift): write the noise as
/// a(x) + a(y) + r(x, y), each part independent between positions. Under an x shift the rows of the members do not change,
/// so a(y) cancels; the columns are b consecutive offsets of weight 1/b, of which one leaves and one enters: a(x) keeps
/// 2/b² of its variance against the plain model's 2, a share 1/b² (block2: 1/4; rook4: 1/16, as block4 at 16 forwards).
/// No member's position is another's shifted, so r keeps Σ Δw² = 2b/b² = 2/b against 2: a share 1/b (block b: 1/b³). And
/// whatever the noise, e′ − e = Σ (1/b)(e(p_i + δ) − e(p_i)), so ‖e′ − e‖ is at most the mean of the members' own 1-px
/// changes (before renormalising). Cost b forwards, exactly.
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

    /// <summary>
    /// The offsets (dx, dy) of rook b's candidates in a window of half-width <paramref name="half"/>: dx = lo + i and
    /// dy = lo + π(i) for i = 0..b−1, lo = −⌊(b−1)/2⌋ as for block b, with the knight-step permutation π(i) = 2i mod b (b odd)
    /// or (2i+1) mod (b+1) (b even; 2 is invertible modulo the odd b+1, and i = b would take the value b, so i &lt; b takes
    /// 0..b−1): one candidate in each row and each column, no two adjacent (rook4: (−1,0), (0,2), (1,−1), (2,1)). Those
    /// outside a narrower window are left out.
    /// </summary>
    public static IReadOnlyList<(int Dx, int Dy)> RookOffsets(int side, int half)
    {
        int lo = -((side - 1) / 2);
        var offsets = new List<(int, int)>(side);
        for (int i = 0; i < side; i++)
        {
            int p = side % 2 == 1 ? 2 * i % side : (2 * i + 1) % (side + 1);
            int dx = lo + i, dy = lo + p;
            if (Math.Abs(dx) <= half && Math.Abs(dy) <= half) offsets.Add((dx, dy));
        }
        return offsets;
    }

    /// <summary>The share 1/b² of the plain model's squared 1-px axis change that aliasing depending on the crop's column
    /// phase alone keeps under rook b (and block b): the column marginal is b consecutive offsets of weight 1/b, and a shift
    /// swaps one of them, Σ Δw² = 2/b² against the plain model's 2.</summary>
    public static double RookPhaseShare(int side) => 1.0 / ((double)side * side);

    /// <summary>The hash a candidate must reach to belong to soft k in an n×n window: the top k/n² of the 64-bit range.</summary>
    public static ulong Threshold(int k, int n)
    {
        double share = Math.Min(1.0, (double)k / ((double)n * n));
        if (share >= 1.0) return 0;
        // 2^64 · (1 − share), computed in doubles (the threshold only needs to be a fixed function of k and n).
        return (ulong)((1.0 - share) * 18446744073709551616.0);
    }
}
