using RobustCrop.Core.Imaging;

namespace RobustCrop.TestSupport;

/// <summary>
/// <see cref="SceneRotation"/> as it was first written, one output pixel, one tap and one channel at a time with Pillow's
/// taps computed per pixel: the reference the fast rotation must equal byte for byte, and what the motion bench compares it
/// with.
/// </summary>
public static class SceneRotationReference
{
    /// <param name="degrees">Counter-clockwise turn of the content.</param>
    /// <param name="centreX">The fixed point, in scene coordinates (pixel edges: the centre of pixel i is i + 0.5).</param>
    public static RgbImage Render(RgbImage src, int width, int height, Interpolation interp, double degrees, double centreX, double centreY)
    {
        ArgumentNullException.ThrowIfNull(src);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (!double.IsFinite(degrees)) throw new ArgumentOutOfRangeException(nameof(degrees), "the angle must be finite");
        double rad = degrees * Math.PI / 180;
        double cos = Math.Cos(rad), sin = Math.Sin(rad);
        var dst = new RgbImage(width, height);
        double ax = (double)src.Width / width, ay = (double)src.Height / height;
        if (interp == Interpolation.Nearest)
        {
            for (int v = 0; v < height; v++)
            {
                Span<byte> row = dst.Row(v);
                for (int u = 0; u < width; u++)
                {
                    var (dx, dy) = Displacement(u, v, cos, sin, centreX, centreY);
                    int sx = Math.Clamp((int)Math.Floor((u + dx + 0.5) * ax), 0, src.Width - 1);
                    int sy = Math.Clamp((int)Math.Floor((v + dy + 0.5) * ay), 0, src.Height - 1);
                    src.ReadOnlyRow(sy).Slice(sx * 3, 3).CopyTo(row.Slice(u * 3, 3));
                }
            }
            return dst;
        }
        var f = interp == Interpolation.Bicubic ? SceneResizer.Filter.Bicubic : SceneResizer.Filter.Bilinear;
        double fsx = Math.Max(ax, 1.0), fsy = Math.Max(ay, 1.0);
        double supX = SceneResizer.Support(f) * fsx, supY = SceneResizer.Support(f) * fsy;
        int kx = (int)Math.Ceiling(supX) * 2 + 1, ky = (int)Math.Ceiling(supY) * 2 + 1;
        Span<double> scratch = stackalloc double[Math.Max(kx, ky)];
        Span<int> wx = stackalloc int[kx];
        Span<int> wy = stackalloc int[ky];
        const int half = 1 << (SceneResizer.PrecisionBits - 1);
        for (int v = 0; v < height; v++)
        {
            Span<byte> row = dst.Row(v);
            for (int u = 0; u < width; u++)
            {
                var (dx, dy) = Displacement(u, v, cos, sin, centreX, centreY);
                // (u + dx) first, as the resize computes (xx + offset): a zero displacement gives its centre exactly.
                var (x0, nx) = SceneResizer.Taps((u + dx + 0.5) * ax, supX, fsx, src.Width, f, scratch, wx);
                var (y0, ny) = SceneResizer.Taps((v + dy + 0.5) * ay, supY, fsy, src.Height, f, scratch, wy);
                int r = half, g = half, b = half;
                for (int j = 0; j < ny; j++)
                {
                    ReadOnlySpan<byte> line = src.ReadOnlyRow(y0 + j).Slice(x0 * 3, nx * 3);
                    int hr = half, hg = half, hb = half;
                    for (int i = 0, s = 0; i < nx; i++, s += 3)
                    {
                        int w = wx[i];
                        hr += line[s] * w;
                        hg += line[s + 1] * w;
                        hb += line[s + 2] * w;
                    }
                    int wv = wy[j];
                    r += SceneResizer.Clip8(hr) * wv;
                    g += SceneResizer.Clip8(hg) * wv;
                    b += SceneResizer.Clip8(hb) * wv;
                }
                row[u * 3] = SceneResizer.Clip8(r);
                row[u * 3 + 1] = SceneResizer.Clip8(g);
                row[u * 3 + 2] = SceneResizer.Clip8(b);
            }
        }
        return dst;
    }

    /// <summary>
    /// Where the view's pixel (u, v) looks in the scene, as a displacement from the pixel itself: the view turned by θ
    /// shows at p the scene point c + R(−θ)(p − c). Written as (cos − 1)·… + sin·… so that θ = 0 gives exactly zero.
    /// </summary>
    private static (double Dx, double Dy) Displacement(int u, int v, double cos, double sin, double cx, double cy)
    {
        double px = u + 0.5 - cx, py = v + 0.5 - cy;
        return ((cos - 1) * px + sin * py, -sin * px + (cos - 1) * py);
    }
}
