using RobustCrop.Core.Imaging;

namespace RobustCrop.TestSupport;

/// <summary>
/// The scalar resizer <see cref="SceneResizer"/> replaced (one tap and one channel at a time, exactly Pillow's loops): the
/// reference its vectorised passes must equal byte for byte, and what the prepare benchmark compares them with.
/// </summary>
public static class SceneResizerReference
{
    // Pillow's 8-bit precision: 32 bits minus 8 for the pixel minus 2 of headroom for negative bicubic lobes.
    private const int PrecisionBits = 32 - 8 - 2;

    public static RgbImage ResizeShorterSide(RgbImage src, int shorterSide, Interpolation interp)
    {
        (int w, int h) = SceneResizer.ShorterSideSize(src.Width, src.Height, shorterSide);
        return Resize(src, w, h, interp);
    }

    /// <summary>Resizes to exactly <paramref name="width"/>×<paramref name="height"/>; the same instance when unchanged.</summary>
    public static RgbImage Resize(RgbImage src, int width, int height, Interpolation interp)
    {
        ArgumentNullException.ThrowIfNull(src);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (width == src.Width && height == src.Height) return src;
        return interp switch
        {
            Interpolation.Nearest => SceneResizer.Resize(src, width, height, interp), // unchanged: a copy, no arithmetic
            Interpolation.Bilinear => Convolve(src, width, height, Filter.Bilinear),
            Interpolation.Bicubic => Convolve(src, width, height, Filter.Bicubic),
            _ => throw new ArgumentOutOfRangeException(nameof(interp), interp, "unknown interpolation"),
        };
    }

    private enum Filter { Bilinear, Bicubic }

    private static double Support(Filter f) => f == Filter.Bilinear ? 1.0 : 2.0;

    private static double Kernel(Filter f, double x)
    {
        if (x < 0) x = -x;
        if (f == Filter.Bilinear) return x < 1.0 ? 1.0 - x : 0.0;
        const double a = -0.5; // Pillow's bicubic; torchvision's tensor path uses -0.75 but PIL images go through Pillow.
        if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
        return 0.0;
    }

    /// <summary>Per-output-pixel taps: first source index, tap count, and <c>KSize</c> fixed-point weights per output.</summary>
    private sealed class Coeffs(int outSize, int kSize)
    {
        public readonly int KSize = kSize;
        public readonly int[] Start = new int[outSize];
        public readonly int[] Count = new int[outSize];
        public readonly int[] Weights = new int[outSize * kSize];
    }

    // Mirrors Pillow's precompute_coeffs + normalize_coeffs_8bpc, including its truncating "round" casts.
    private static Coeffs Precompute(int inSize, int outSize, Filter f)
    {
        double scale = (double)inSize / outSize;
        double filterScale = Math.Max(scale, 1.0);
        double support = Support(f) * filterScale;
        int kSize = (int)Math.Ceiling(support) * 2 + 1;
        var c = new Coeffs(outSize, kSize);
        Span<double> k = kSize <= 256 ? stackalloc double[kSize] : new double[kSize];
        double ss = 1.0 / filterScale;
        for (int xx = 0; xx < outSize; xx++)
        {
            double center = (xx + 0.5) * scale;
            int xmin = Math.Max((int)(center - support + 0.5), 0);
            int xmax = Math.Min((int)(center + support + 0.5), inSize) - xmin;
            double ww = 0;
            for (int x = 0; x < xmax; x++)
            {
                double w = Kernel(f, (x + xmin - center + 0.5) * ss);
                k[x] = w;
                ww += w;
            }
            Span<int> dst = c.Weights.AsSpan(xx * kSize, kSize);
            for (int x = 0; x < xmax; x++)
            {
                double v = (ww != 0.0 ? k[x] / ww : k[x]) * (1 << PrecisionBits);
                dst[x] = v < 0 ? (int)(-0.5 + v) : (int)(0.5 + v);
            }
            c.Start[xx] = xmin;
            c.Count[xx] = xmax;
        }
        return c;
    }

    private static byte Clip8(int acc)
    {
        if (acc <= 0) return 0;
        if (acc >= (1 << PrecisionBits << 8)) return 255;
        return (byte)(acc >> PrecisionBits);
    }

    private static RgbImage Convolve(RgbImage src, int outW, int outH, Filter f)
    {
        bool needH = outW != src.Width, needV = outH != src.Height;
        Coeffs? cv = needV ? Precompute(src.Height, outH, f) : null;

        // The horizontal pass only needs the source rows some output row reads.
        int rowFirst = 0, rowLast = src.Height;
        if (cv is not null)
        {
            rowFirst = cv.Start[0];
            rowLast = cv.Start[outH - 1] + cv.Count[outH - 1];
        }

        RgbImage mid = src;
        if (needH)
        {
            Coeffs ch = Precompute(src.Width, outW, f);
            mid = new RgbImage(outW, rowLast - rowFirst);
            for (int y = rowFirst; y < rowLast; y++)
                HorizontalRow(src.ReadOnlyRow(y), mid.Row(y - rowFirst), ch);
        }

        if (cv is null) return mid;
        var dst = new RgbImage(outW, outH);
        VerticalPass(mid, dst, cv, needH ? rowFirst : 0);
        return dst;
    }

    private static void HorizontalRow(ReadOnlySpan<byte> inRow, Span<byte> outRow, Coeffs c)
    {
        const int half = 1 << (PrecisionBits - 1);
        for (int xx = 0; xx < c.Start.Length; xx++)
        {
            ReadOnlySpan<int> k = c.Weights.AsSpan(xx * c.KSize, c.Count[xx]);
            ReadOnlySpan<byte> px = inRow.Slice(c.Start[xx] * 3, k.Length * 3);
            int r = half, g = half, b = half;
            for (int x = 0, s = 0; x < k.Length; x++, s += 3)
            {
                int w = k[x];
                r += px[s] * w;
                g += px[s + 1] * w;
                b += px[s + 2] * w;
            }
            int d = xx * 3;
            outRow[d] = Clip8(r);
            outRow[d + 1] = Clip8(g);
            outRow[d + 2] = Clip8(b);
        }
    }

    /// <param name="rowOffset">Source row index of <paramref name="mid"/>'s row 0 (the horizontal pass may skip leading rows).</param>
    private static void VerticalPass(RgbImage mid, RgbImage dst, Coeffs c, int rowOffset)
    {
        const int half = 1 << (PrecisionBits - 1);
        int stride = mid.Stride;
        int[] acc = new int[stride];
        for (int yy = 0; yy < dst.Height; yy++)
        {
            ReadOnlySpan<int> k = c.Weights.AsSpan(yy * c.KSize, c.Count[yy]);
            int first = c.Start[yy] - rowOffset;
            Array.Fill(acc, half);
            // Row-major accumulation keeps every read contiguous; integer sums make the order irrelevant to the result.
            for (int t = 0; t < k.Length; t++)
            {
                int w = k[t];
                ReadOnlySpan<byte> row = mid.ReadOnlyRow(first + t);
                for (int i = 0; i < acc.Length; i++) acc[i] += row[i] * w;
            }
            Span<byte> outRow = dst.Row(yy);
            for (int i = 0; i < acc.Length; i++) outRow[i] = Clip8(acc[i]);
        }
    }
}
