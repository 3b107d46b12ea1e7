using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace RobustCrop.Core.Imaging;

/// <summary>
/// Resize-to-shorter-side (DESIGN §2 step 2), written to reproduce Pillow's <c>Image.resize</c>, which is what
/// torchvision's <c>Resize(R)</c> runs on PIL images: a separable convolution (horizontal pass, then vertical) whose
/// kernel support widens with the downscale factor (the antialiasing), 22-bit fixed-point weights and an 8-bit
/// intermediate, exactly as Pillow's Resample.c does, so scenes match the reference pipeline bit for bit.
/// </summary>
public static class SceneResizer
{
    // Pillow's 8-bit precision: 32 bits minus 8 for the pixel minus 2 of headroom for negative bicubic lobes.
    internal const int PrecisionBits = 32 - 8 - 2;

    /// <summary>
    /// The scene size for a shorter side of <paramref name="shorterSide"/>. The longer side is
    /// <c>floor(long · shorterSide / short)</c>, i.e. truncated like torchvision's <c>int(size * long / short)</c>,
    /// not rounded: 500x375 → 341x256. Square inputs give shorterSide².
    /// </summary>
    public static (int Width, int Height) ShorterSideSize(int w, int h, int shorterSide)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(w);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(h);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(shorterSide);
        // Integer division equals the float64 truncation torchvision does for any side below 2^26.
        if (w <= h) return (shorterSide, checked((int)((long)h * shorterSide / w)));
        return (checked((int)((long)w * shorterSide / h)), shorterSide);
    }

    /// <summary>
    /// Resizes so the shorter side is <paramref name="shorterSide"/> (see <see cref="ShorterSideSize"/>).
    /// Returns <paramref name="src"/> itself when the size already matches.
    /// </summary>
    /// <exception cref="ArgumentException">The result would exceed <paramref name="maxPixels"/>.</exception>
    public static RgbImage ResizeShorterSide(RgbImage src, int shorterSide, Interpolation interp, long maxPixels = long.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(src);
        (int w, int h) = ShorterSideSize(src.Width, src.Height, shorterSide);
        if ((long)w * h > maxPixels)
            throw new ArgumentException(
                $"resizing {src.Width}x{src.Height} to shorter side {shorterSide} gives {w}x{h} = {(long)w * h} pixels, over the {maxPixels}-pixel limit",
                nameof(maxPixels));
        return Resize(src, w, h, interp);
    }

    /// <summary>Resizes to exactly <paramref name="width"/>×<paramref name="height"/>; the same instance when unchanged.</summary>
    public static RgbImage Resize(RgbImage src, int width, int height, Interpolation interp)
    {
        ArgumentNullException.ThrowIfNull(src);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (width == src.Width && height == src.Height) return src;
        return Resize<VectorPasses>(src, width, height, interp);
    }

    /// <summary>
    /// The two passes of the separable convolution, everything else (Pillow's coefficients, which rows are needed) being
    /// shared: the vectorised ones here, the scalar reference in the tests.
    /// </summary>
    internal interface IPasses
    {
        static abstract void HorizontalRow(ReadOnlySpan<byte> inRow, Span<byte> outRow, Coeffs c);

        /// <param name="mid">The horizontal pass's rows (or the source's), each as wide as <paramref name="dst"/>'s.</param>
        /// <param name="rowOffset">Source row index of <paramref name="mid"/>'s row 0 (the horizontal pass may skip leading rows).</param>
        static abstract void VerticalPass(ReadOnlySpan<byte> mid, RgbImage dst, Coeffs c, int rowOffset);
    }

    internal static RgbImage Resize<TPasses>(RgbImage src, int width, int height, Interpolation interp) where TPasses : IPasses
    {
        if (width == src.Width && height == src.Height) return src;
        return Render<TPasses>(src, width, height, interp, Grid.Plain);
    }

    /// <summary>
    /// Re-renders the scene from its source with the resampling grid moved (DESIGN §4b): output pixel i of an axis samples
    /// the source at <c>((i + offset) + 0.5) · scale / zoom</c> instead of <c>(i + 0.5) · scale</c>, with Pillow's taps,
    /// weights and passes otherwise unchanged. So offset 0 and zoom 1 are today's resize bit for bit, and an integer
    /// offset k gives pixel i exactly the taps of pixel i + k (the same double is computed): <c>subpixel:1</c> is the
    /// integer shift. A zoom below 1 widens the kernel (antialiasing) as a downscale does.
    /// </summary>
    /// <param name="offsetX">Grid offset in scene pixels (the view moves by this much over the scene).</param>
    /// <param name="zoom">Magnification about the grid's origin; combine with the offsets to zoom about another point.</param>
    public static RgbImage Render(RgbImage src, int width, int height, Interpolation interp, double offsetX, double offsetY, double zoom = 1.0)
    {
        ArgumentNullException.ThrowIfNull(src);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (!(zoom > 0) || !double.IsFinite(zoom) || !double.IsFinite(offsetX) || !double.IsFinite(offsetY))
            throw new ArgumentOutOfRangeException(nameof(zoom), "the grid needs a finite offset and a positive zoom");
        var grid = new Grid(offsetX, offsetY, zoom);
        if (grid.IsPlain && width == src.Width && height == src.Height) return src;
        return Render<VectorPasses>(src, width, height, interp, grid);
    }

    /// <summary>Where the output grid lies over the source: offsets in output pixels and a magnification.</summary>
    internal readonly record struct Grid(double OffsetX, double OffsetY, double Zoom)
    {
        public static Grid Plain => new(0, 0, 1);
        public bool IsPlain => OffsetX == 0 && OffsetY == 0 && Zoom == 1;
        public bool MovesX => OffsetX != 0 || Zoom != 1;
        public bool MovesY => OffsetY != 0 || Zoom != 1;
    }

    internal static RgbImage Render<TPasses>(RgbImage src, int width, int height, Interpolation interp, Grid grid) where TPasses : IPasses
    {
        return interp switch
        {
            Interpolation.Nearest => Nearest(src, width, height, grid),
            Interpolation.Bilinear => Convolve<TPasses>(src, width, height, Filter.Bilinear, grid),
            Interpolation.Bicubic => Convolve<TPasses>(src, width, height, Filter.Bicubic, grid),
            _ => throw new ArgumentOutOfRangeException(nameof(interp), interp, "unknown interpolation"),
        };
    }

    internal enum Filter { Bilinear, Bicubic }

    internal static double Support(Filter f) => f == Filter.Bilinear ? 1.0 : 2.0;

    internal static double Kernel(Filter f, double x)
    {
        if (x < 0) x = -x;
        if (f == Filter.Bilinear) return x < 1.0 ? 1.0 - x : 0.0;
        const double a = -0.5; // Pillow's bicubic; torchvision's tensor path uses -0.75 but PIL images go through Pillow.
        if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
        return 0.0;
    }

    /// <summary>Per-output-pixel taps: first source index, tap count, and <c>KSize</c> fixed-point weights per output.</summary>
    internal sealed class Coeffs(int outSize, int kSize)
    {
        public readonly int KSize = kSize;
        public readonly int[] Start = new int[outSize];
        public readonly int[] Count = new int[outSize];
        public readonly int[] Weights = new int[outSize * kSize];
    }

    // Mirrors Pillow's precompute_coeffs + normalize_coeffs_8bpc, including its truncating "round" casts.
    private static Coeffs Precompute(int inSize, int outSize, Filter f, double offset = 0, double zoom = 1)
    {
        double scale = (double)inSize / outSize;
        if (zoom != 1) scale /= zoom; // only when zooming, so the plain scale stays Pillow's double
        double filterScale = Math.Max(scale, 1.0);
        double support = Support(f) * filterScale;
        int kSize = (int)Math.Ceiling(support) * 2 + 1;
        var c = new Coeffs(outSize, kSize);
        Span<double> k = kSize <= 256 ? stackalloc double[kSize] : new double[kSize];
        for (int xx = 0; xx < outSize; xx++)
        {
            // (xx + offset) first: an integer offset gives exactly pixel xx + offset's centre.
            double center = (xx + offset + 0.5) * scale;
            (c.Start[xx], c.Count[xx]) = Taps(center, support, filterScale, inSize, f, k, c.Weights.AsSpan(xx * kSize, kSize));
        }
        return c;
    }

    /// <summary>
    /// One output pixel's taps around <paramref name="center"/> (source coordinates): the first source index and the
    /// count, the fixed-point weights written to <paramref name="weights"/>. Pillow's arithmetic, shared by every grid.
    /// </summary>
    internal static (int Start, int Count) Taps(double center, double support, double filterScale, int inSize, Filter f,
        Span<double> scratch, Span<int> weights)
    {
        double ss = 1.0 / filterScale;
        int xmin = Math.Max((int)(center - support + 0.5), 0);
        int xmax = Math.Min((int)(center + support + 0.5), inSize) - xmin;
        double ww = 0;
        for (int x = 0; x < xmax; x++)
        {
            double w = Kernel(f, (x + xmin - center + 0.5) * ss);
            scratch[x] = w;
            ww += w;
        }
        if (xmax <= 0 || ww == 0)
        {
            // The grid left the source entirely (a far offset), or only touches it where the kernel is 0 (a rotated point
            // just outside the edge): the edge pixel, as Pillow's clamping would give, not the black of all-zero weights.
            // A resize's own points never get here, so its bytes are Pillow's.
            xmin = center < 0 ? 0 : inSize - 1;
            weights[0] = 1 << PrecisionBits;
            return (xmin, 1);
        }
        for (int x = 0; x < xmax; x++)
        {
            double v = scratch[x] / ww * (1 << PrecisionBits);
            weights[x] = v < 0 ? (int)(-0.5 + v) : (int)(0.5 + v);
        }
        return (xmin, xmax);
    }

    internal static byte Clip8(int acc)
    {
        if (acc <= 0) return 0;
        if (acc >= (1 << PrecisionBits << 8)) return 255;
        return (byte)(acc >> PrecisionBits);
    }

    private static RgbImage Convolve<TPasses>(RgbImage src, int outW, int outH, Filter f, Grid grid) where TPasses : IPasses
    {
        bool needH = outW != src.Width || grid.MovesX, needV = outH != src.Height || grid.MovesY;
        Coeffs? cv = needV ? Precompute(src.Height, outH, f, grid.OffsetY, grid.Zoom) : null;

        // The horizontal pass only needs the source rows some output row reads.
        int rowFirst = 0, rowLast = src.Height;
        if (cv is not null)
        {
            rowFirst = cv.Start[0];
            rowLast = cv.Start[outH - 1] + cv.Count[outH - 1];
        }

        if (!needH) return VerticalOnly<TPasses>(src, outH, cv!);
        Coeffs ch = Precompute(src.Width, outW, f, grid.OffsetX, grid.Zoom);
        int stride = outW * 3, midLength = (rowLast - rowFirst) * stride;
        if (cv is null)
        {
            var wide = new RgbImage(outW, src.Height);
            for (int y = 0; y < src.Height; y++) TPasses.HorizontalRow(src.ReadOnlyRow(y), wide.Row(y), ch);
            return wide;
        }
        // Both passes: the intermediate rows are scratch, pooled (hundreds of kilobytes an image, each a large-object
        // allocation otherwise).
        byte[] mid = ArrayPool<byte>.Shared.Rent(midLength);
        try
        {
            for (int y = rowFirst; y < rowLast; y++)
                TPasses.HorizontalRow(src.ReadOnlyRow(y), mid.AsSpan((y - rowFirst) * stride, stride), ch);
            var dst = new RgbImage(outW, outH);
            TPasses.VerticalPass(mid.AsSpan(0, midLength), dst, cv, rowFirst);
            return dst;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(mid);
        }
    }

    private static RgbImage VerticalOnly<TPasses>(RgbImage src, int outH, Coeffs cv) where TPasses : IPasses
    {
        var dst = new RgbImage(src.Width, outH);
        TPasses.VerticalPass(src.Pixels, dst, cv, 0);
        return dst;
    }

    private readonly struct VectorPasses : IPasses
    {
        // Clip8 on four lanes: clamp(acc >> PrecisionBits, 0, 255) is the same three cases (≤ 0, ≥ 2^30, between).
        private static Vector128<int> Clip8(Vector128<int> acc) =>
            Vector128.Clamp(Vector128.ShiftRightArithmetic(acc, PrecisionBits), Vector128<int>.Zero, Vector128.Create(255));

        /// <remarks>
        /// One tap is one 4-lane multiply-add over R, G, B (and the next pixel's R, whose lane is dropped): a third of the
        /// scalar multiply-adds, no bounds checks. The weights are integers, so any evaluation order gives Pillow's bytes.
        /// </remarks>
        public static void HorizontalRow(ReadOnlySpan<byte> inRow, Span<byte> outRow, Coeffs c)
        {
            var half = Vector128.Create(1 << (PrecisionBits - 1));
            ref byte px = ref MemoryMarshal.GetReference(inRow);
            ref int weights = ref MemoryMarshal.GetArrayDataReference(c.Weights);
            int lastWide = inRow.Length - 4; // a 4-byte read from here on would leave the row
            for (int xx = 0; xx < c.Start.Length; xx++)
            {
                ref int k = ref Unsafe.Add(ref weights, xx * c.KSize);
                int count = c.Count[xx];
                int s0 = c.Start[xx] * 3;
                var acc = half;
                if (s0 + (count - 1) * 3 <= lastWide)
                {
                    for (int x = 0, s = s0; x < count; x++, s += 3) acc += Tap(Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref px, s)), Unsafe.Add(ref k, x));
                }
                else
                {
                    // The row's last pixel among the taps: its bytes are read one by one.
                    for (int x = 0, s = s0; x < count; x++, s += 3)
                    {
                        uint rgb = s <= lastWide
                            ? Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref px, s))
                            : Unsafe.Add(ref px, s) | (uint)Unsafe.Add(ref px, s + 1) << 8 | (uint)Unsafe.Add(ref px, s + 2) << 16;
                        acc += Tap(rgb, Unsafe.Add(ref k, x));
                    }
                }
                var clipped = Clip8(acc);
                int d = xx * 3;
                outRow[d] = (byte)clipped.GetElement(0);
                outRow[d + 1] = (byte)clipped.GetElement(1);
                outRow[d + 2] = (byte)clipped.GetElement(2);
            }
        }

        // One tap: the pixel's bytes (R, G, B, and whatever follows) widened to four ints, times the tap's weight.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector128<int> Tap(uint rgb, int weight) =>
            Vector128.WidenLower(Vector128.WidenLower(Vector128.CreateScalarUnsafe(rgb).AsByte())).AsInt32() * Vector128.Create(weight);

        /// <remarks>
        /// Sixteen bytes of an output row at a time, every tap accumulated in registers (four 4-lane sums) before one clipped
        /// 16-byte store: no accumulator row in memory, 16 multiply-adds per instruction group instead of one.
        /// </remarks>
        public static void VerticalPass(ReadOnlySpan<byte> mid, RgbImage dst, Coeffs c, int rowOffset)
        {
            var half = Vector128.Create(1 << (PrecisionBits - 1));
            int stride = dst.Stride, wide = stride - stride % 16;
            ref byte src = ref MemoryMarshal.GetReference(mid);
            for (int yy = 0; yy < dst.Height; yy++)
            {
                ReadOnlySpan<int> k = c.Weights.AsSpan(yy * c.KSize, c.Count[yy]);
                ref byte first = ref Unsafe.Add(ref src, (c.Start[yy] - rowOffset) * stride);
                Span<byte> outRow = dst.Row(yy);
                ref byte output = ref MemoryMarshal.GetReference(outRow);
                for (int i = 0; i < wide; i += 16)
                {
                    Vector128<int> a0 = half, a1 = half, a2 = half, a3 = half;
                    for (int t = 0; t < k.Length; t++)
                    {
                        var w = Vector128.Create(k[t]);
                        var bytes = Vector128.LoadUnsafe(ref Unsafe.Add(ref first, t * stride + i));
                        var (lo, hi) = Vector128.Widen(bytes);
                        var (l0, l1) = Vector128.Widen(lo);
                        var (h0, h1) = Vector128.Widen(hi);
                        a0 += l0.AsInt32() * w;
                        a1 += l1.AsInt32() * w;
                        a2 += h0.AsInt32() * w;
                        a3 += h1.AsInt32() * w;
                    }
                    var shorts = Vector128.Narrow(Clip8(a0).AsUInt32(), Clip8(a1).AsUInt32());
                    var shorts2 = Vector128.Narrow(Clip8(a2).AsUInt32(), Clip8(a3).AsUInt32());
                    Vector128.Narrow(shorts, shorts2).StoreUnsafe(ref output, (nuint)i);
                }
                for (int i = wide; i < stride; i++)
                {
                    int acc = 1 << (PrecisionBits - 1);
                    for (int t = 0; t < k.Length; t++) acc += Unsafe.Add(ref first, t * stride + i) * k[t];
                    outRow[i] = SceneResizer.Clip8(acc);
                }
            }
        }
    }

    /// <summary>Pillow's NEAREST resize: source index floor((i + 0.5) · in / out), so a 2× upscale duplicates exactly.
    /// Pillow steps the coordinate incrementally, so the two can differ only where (i + 0.5) · in / out lands on an integer.</summary>
    private static RgbImage Nearest(RgbImage src, int outW, int outH, Grid grid)
    {
        var dst = new RgbImage(outW, outH);
        int[] sx = new int[outW];
        double ax = (double)src.Width / outW, ay = (double)src.Height / outH;
        if (grid.Zoom != 1) { ax /= grid.Zoom; ay /= grid.Zoom; }
        for (int x = 0; x < outW; x++) sx[x] = NearestIndex(x, grid.OffsetX, ax, src.Width) * 3;
        for (int y = 0; y < outH; y++)
        {
            int syy = NearestIndex(y, grid.OffsetY, ay, src.Height);
            ReadOnlySpan<byte> inRow = src.ReadOnlyRow(syy);
            Span<byte> outRow = dst.Row(y);
            for (int x = 0, d = 0; x < outW; x++, d += 3)
            {
                int s = sx[x];
                outRow[d] = inRow[s];
                outRow[d + 1] = inRow[s + 1];
                outRow[d + 2] = inRow[s + 2];
            }
        }
        return dst;
    }

    private static int NearestIndex(int i, double offset, double scale, int size)
        => Math.Clamp((int)Math.Floor((i + offset + 0.5) * scale), 0, size - 1);
}
