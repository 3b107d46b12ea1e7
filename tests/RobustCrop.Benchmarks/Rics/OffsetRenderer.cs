namespace RobustCrop.Benchmarks.Rics;

/// <summary>
/// The scene re-rendered from the source image with the resize grid offset by (dx, dy) scene pixels: Pillow's bilinear
/// resize (triangle kernel widened by the downscale factor, 22-bit fixed-point weights, 8-bit intermediate) with every
/// output pixel's sampling centre moved from <c>(i + 0.5)·scale</c> to <c>(i + 0.5 + d)·scale</c>. Offset 0 is
/// <see cref="SceneResizer"/>'s scene bit for bit (checked by the bench before it measures); offset 1 is that scene moved
/// by one pixel. Scalar bench code: the product's offset grid belongs to the resizer itself.
/// </summary>
public static class OffsetRenderer
{
    private const int PrecisionBits = 32 - 8 - 2;

    public static RgbImage Render(RgbImage src, int width, int height, double dx, double dy)
    {
        var (hs, hc, hw, hk) = Coeffs(src.Width, width, dx);
        var (vs, vc, vw, vk) = Coeffs(src.Height, height, dy);
        const int half = 1 << (PrecisionBits - 1);
        var mid = new byte[src.Height * width * 3];
        for (int y = 0; y < src.Height; y++)
        {
            ReadOnlySpan<byte> row = src.ReadOnlyRow(y);
            for (int xx = 0; xx < width; xx++)
                for (int ch = 0; ch < 3; ch++)
                {
                    int acc = half;
                    for (int t = 0; t < hc[xx]; t++) acc += row[3 * (hs[xx] + t) + ch] * hw[xx * hk + t];
                    mid[(y * width + xx) * 3 + ch] = Clip8(acc);
                }
        }
        var dst = new RgbImage(width, height);
        int stride = width * 3;
        for (int yy = 0; yy < height; yy++)
        {
            Span<byte> outRow = dst.Row(yy);
            for (int i = 0; i < stride; i++)
            {
                int acc = half;
                for (int t = 0; t < vc[yy]; t++) acc += mid[(vs[yy] + t) * stride + i] * vw[yy * vk + t];
                outRow[i] = Clip8(acc);
            }
        }
        return dst;
    }

    private static byte Clip8(int acc) => acc <= 0 ? (byte)0 : acc >= (1 << PrecisionBits << 8) ? (byte)255 : (byte)(acc >> PrecisionBits);

    // Pillow's precompute_coeffs for the bilinear filter, with the centre moved by `offset` output pixels.
    private static (int[] Start, int[] Count, int[] Weights, int KSize) Coeffs(int inSize, int outSize, double offset)
    {
        double scale = (double)inSize / outSize;
        double filterScale = Math.Max(scale, 1.0);
        double support = filterScale;
        int kSize = (int)Math.Ceiling(support) * 2 + 1;
        var start = new int[outSize];
        var count = new int[outSize];
        var weights = new int[outSize * kSize];
        var k = new double[kSize];
        double ss = 1.0 / filterScale;
        for (int xx = 0; xx < outSize; xx++)
        {
            double center = (xx + 0.5 + offset) * scale;
            int xmin = Math.Max((int)(center - support + 0.5), 0);
            int xmax = Math.Min((int)(center + support + 0.5), inSize) - xmin;
            double ww = 0;
            for (int x = 0; x < xmax; x++)
            {
                double a = Math.Abs((x + xmin - center + 0.5) * ss);
                k[x] = a < 1.0 ? 1.0 - a : 0.0;
                ww += k[x];
            }
            for (int x = 0; x < xmax; x++)
            {
                double v = (ww != 0.0 ? k[x] / ww : k[x]) * (1 << PrecisionBits);
                weights[xx * kSize + x] = v < 0 ? (int)(-0.5 + v) : (int)(0.5 + v);
            }
            start[xx] = xmin;
            count[xx] = xmax;
        }
        return (start, count, weights, kSize);
    }
}
