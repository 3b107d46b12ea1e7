using RobustCrop.Core.Imaging;

namespace RobustCrop.TestSupport;

/// <summary>
/// <see cref="SceneResizer"/> with the scalar passes it had before they were vectorised (one tap and one channel at a time,
/// Pillow's own loops) over the same coefficients: the reference the vectorised passes must equal byte for byte, and what
/// the prepare benchmark compares them with.
/// </summary>
public static class SceneResizerReference
{
    private const int PrecisionBits = SceneResizer.PrecisionBits;

    public static RgbImage ResizeShorterSide(RgbImage src, int shorterSide, Interpolation interp)
    {
        (int w, int h) = SceneResizer.ShorterSideSize(src.Width, src.Height, shorterSide);
        return Resize(src, w, h, interp);
    }

    /// <summary>Resizes to exactly <paramref name="width"/>×<paramref name="height"/> with the scalar passes.</summary>
    public static RgbImage Resize(RgbImage src, int width, int height, Interpolation interp) => SceneResizer.Resize<ScalarPasses>(src, width, height, interp);

    private readonly struct ScalarPasses : SceneResizer.IPasses
    {
        public static void HorizontalRow(ReadOnlySpan<byte> inRow, Span<byte> outRow, SceneResizer.Coeffs c)
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
                outRow[d] = SceneResizer.Clip8(r);
                outRow[d + 1] = SceneResizer.Clip8(g);
                outRow[d + 2] = SceneResizer.Clip8(b);
            }
        }

        public static void VerticalPass(ReadOnlySpan<byte> mid, RgbImage dst, SceneResizer.Coeffs c, int rowOffset)
        {
            const int half = 1 << (PrecisionBits - 1);
            int stride = dst.Stride;
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
                    ReadOnlySpan<byte> row = mid.Slice((first + t) * stride, stride);
                    for (int i = 0; i < acc.Length; i++) acc[i] += row[i] * w;
                }
                Span<byte> outRow = dst.Row(yy);
                for (int i = 0; i < acc.Length; i++) outRow[i] = SceneResizer.Clip8(acc[i]);
            }
        }
    }
}
