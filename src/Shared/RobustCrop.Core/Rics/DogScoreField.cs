using RobustCrop.Core.Imaging;

namespace RobustCrop.Core.Rics;

/// <summary>
/// The smooth RICS score for every candidate of a block: the difference of two Gaussian blurs (σ and 1.6σ) of the
/// scene's luminance, read at each candidate crop's centre. Only pixels within ~3·1.6σ of the centre matter, all inside
/// the crop, so the score is a function of the crop's content. Separable filters over the block only: O(block · σ).
/// </summary>
public static class DogScoreField
{
    /// <summary>σ for an n×n window: a quarter of the window, so the field has extrema inside the window, not only on its edge.</summary>
    public static double SigmaFor(int window) => Math.Max(1.0, window / 4.0);

    public static void Compute(RgbImage scene, int x0, int y0, int width, int height, int cropSize, int window, Span<float> field)
    {
        if (field.Length < width * height) throw new ArgumentException("field too small", nameof(field));
        double s1 = SigmaFor(window), s2 = 1.6 * s1;
        int radius = (int)Math.Ceiling(3 * s2);
        if (2 * radius + 1 > cropSize) radius = (cropSize - 1) / 2;
        int cx0 = x0 + cropSize / 2, cy0 = y0 + cropSize / 2;
        // Luminance over the centres' block plus the filter margin (clamped to the scene; the margin lies inside every crop).
        int lx0 = cx0 - radius, ly0 = cy0 - radius, lw = width + 2 * radius, lh = height + 2 * radius;
        if (lx0 < 0 || ly0 < 0 || lx0 + lw > scene.Width || ly0 + lh > scene.Height)
            throw new ArgumentOutOfRangeException(nameof(x0), "DoG block leaves the scene");
        var lum = new float[lw * lh];
        for (int y = 0; y < lh; y++)
        {
            ReadOnlySpan<byte> row = scene.ReadOnlyRow(ly0 + y);
            for (int x = 0; x < lw; x++)
            {
                int p = 3 * (lx0 + x);
                lum[y * lw + x] = 0.299f * row[p] + 0.587f * row[p + 1] + 0.114f * row[p + 2];
            }
        }
        var k1 = Kernel(s1, radius);
        var k2 = Kernel(s2, radius);
        var a = BlurAtCentres(lum, lw, lh, width, height, k1);
        var b = BlurAtCentres(lum, lw, lh, width, height, k2);
        for (int i = 0; i < width * height; i++) field[i] = a[i] - b[i];
    }

    private static float[] Kernel(double sigma, int radius)
    {
        var k = new float[2 * radius + 1];
        double sum = 0;
        for (int i = -radius; i <= radius; i++) sum += k[i + radius] = (float)Math.Exp(-i * i / (2 * sigma * sigma));
        for (int i = 0; i < k.Length; i++) k[i] = (float)(k[i] / sum);
        return k;
    }

    private static float[] BlurAtCentres(float[] lum, int lw, int lh, int side, int height, float[] k)
    {
        // Horizontal pass only at the columns that are centres, then vertical at the centre rows.
        var h = new float[lh * side];
        for (int y = 0; y < lh; y++)
            for (int x = 0; x < side; x++)
            {
                float acc = 0;
                int baseIdx = y * lw + x;
                for (int t = 0; t < k.Length; t++) acc += k[t] * lum[baseIdx + t];
                h[y * side + x] = acc;
            }
        var v = new float[side * height];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < side; x++)
            {
                float acc = 0;
                for (int t = 0; t < k.Length; t++) acc += k[t] * h[(y + t) * side + x];
                v[y * side + x] = acc;
            }
        return v;
    }
}
