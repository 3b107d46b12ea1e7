using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RobustCrop.Core.Imaging;

/// <summary>
/// Pillow's taps (<see cref="SceneResizer.Taps"/>) for sample points on a grid of 1/256 source pixel, tabulated once per
/// phase: what a resampler whose sample points move continuously (a rotation) looks up instead of computing a kernel,
/// a sum and a division per tap and per pixel. A point is rounded to the grid (at most 1/512 source pixel away, which moves
/// an 8-bit value by under half a level; OpenCV's warpAffine rounds to 1/32); with a dyadic centre Pillow's arithmetic is
/// exact and the same at every integer position, so the table gives exactly Taps(rounded point) wherever the taps lie
/// inside the source, and the few points whose taps the edge clips are computed by Taps itself.
/// </summary>
internal sealed class PhaseTaps
{
    private const int Bits = 8, Phases = 1 << Bits;

    // Far enough from 0 and from the table's source size that no phase's taps are clipped.
    private const int Anchor = 64, TableSize = 1 << 20;

    private readonly int[] _start = new int[Phases], _count = new int[Phases];
    private readonly int[] _weights;
    private readonly double _support, _filterScale;
    private readonly int _inSize;
    private readonly SceneResizer.Filter _filter;

    private PhaseTaps(SceneResizer.Filter filter, double scale, int inSize)
    {
        _filter = filter;
        _inSize = inSize;
        _filterScale = Math.Max(scale, 1.0);
        _support = SceneResizer.Support(filter) * _filterScale;
        KSize = (int)Math.Ceiling(_support) * 2 + 1;
        _weights = new int[Phases * KSize];
        Span<double> scratch = stackalloc double[KSize];
        for (int p = 0; p < Phases; p++)
        {
            var (start, count) = SceneResizer.Taps(Anchor + (double)p / Phases, _support, _filterScale, TableSize, filter, scratch,
                _weights.AsSpan(p * KSize, KSize));
            (_start[p], _count[p]) = (start - Anchor, count);
        }
    }

    /// <summary>The most taps a point takes (the width of a weights buffer).</summary>
    public int KSize { get; }

    /// <param name="scale">Source pixels per output pixel: the kernel widens with a downscale as the resize's does.</param>
    public static PhaseTaps Build(SceneResizer.Filter filter, double scale, int inSize) => new(filter, scale, inSize);

    /// <summary>
    /// The taps of a sample point (source coordinates, pixel edges): the weights, one a tap, either the table's or, where
    /// the edge clips the taps, computed into <paramref name="edge"/>; <paramref name="start"/> is the first tap's index.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadOnlySpan<int> At(double centre, scoped Span<double> scratch, Span<int> edge, out int start) =>
        AtPhase((long)Math.Floor(centre * Phases + 0.5), scratch, edge, out start);

    /// <summary>The grid point nearest a coordinate that is held in fixed point with <see cref="StepBits"/> bits below the
    /// 1/256 grid (what a resampler stepping along a row adds up instead of rounding a double per pixel).</summary>
    public const int StepBits = 24;

    /// <summary>A coordinate in fixed point: source pixels × 2^(8 + <see cref="StepBits"/>).</summary>
    public static long Fixed(double coordinate) => (long)Math.Round(coordinate * (1L << (Bits + StepBits)));

    /// <summary>The taps at a fixed-point coordinate (<see cref="Fixed"/>), rounded to the grid as <see cref="At"/> rounds.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadOnlySpan<int> AtFixed(long coordinate, scoped Span<double> scratch, Span<int> edge, out int start) =>
        AtPhase((coordinate + (1L << (StepBits - 1))) >> StepBits, scratch, edge, out start);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ReadOnlySpan<int> AtPhase(long q, scoped Span<double> scratch, Span<int> edge, out int start)
    {
        int p = (int)(q & (Phases - 1)); // within the tables by construction: no bounds checks in the pixel loop
        long first = (q >> Bits) + Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_start), p);
        int count = Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_count), p);
        if (first >= 0 && first + count <= _inSize)
        {
            start = (int)first;
            return MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_weights), p * KSize), count);
        }
        return Clipped(q, scratch, edge, out start);
    }

    // Kept out of line so that the table look-up inlines into the caller's pixel loop.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private ReadOnlySpan<int> Clipped(long q, scoped Span<double> scratch, Span<int> edge, out int start)
    {
        (start, int count) = SceneResizer.Taps((double)q / Phases, _support, _filterScale, _inSize, _filter, scratch, edge);
        return edge[..count];
    }
}
