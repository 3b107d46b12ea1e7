using System.Buffers;
using RobustCrop.Core.Imaging;

namespace RobustCrop.Core.Rics;

/// <summary>
/// The engine of the smooth RICS scores: a weighted sum of Gaussian blurs of the scene's luminance, read at the centre of
/// every candidate crop of a block. Separable passes over the block plus the filter margin only (horizontal at the
/// centres' columns, then vertical at their rows): O(block · radius) per term, into one pooled scratch buffer, nothing
/// allocated per candidate.
/// </summary>
/// <remarks>
/// Content only: the filter radius is at most (C − 1)/2, so every tap of a centre lies inside its crop, and each centre's
/// value is the same sequence of float operations on the same pixels wherever the crop sits (no running sums, no
/// vector/scalar tail split), so the same crop content gets the bit-identical score in any frame.
/// </remarks>
internal static class CentreBlurField
{
    /// <summary>The filter radius for the widest σ: 3σ, cut to the crop so the support stays inside it.</summary>
    public static int Radius(double maxSigma, int cropSize)
    {
        int radius = (int)Math.Ceiling(3 * maxSigma);
        return 2 * radius + 1 > cropSize ? (cropSize - 1) / 2 : radius;
    }

    /// <summary>
    /// field[j·width + i] = Σ_t weights[t] · (G(sigmas[t]) * luminance)(centre of the crop at (x0 + i, y0 + j)), every
    /// kernel over the radius of the widest σ and normalised to sum 1.
    /// </summary>
    public static void Compute(RgbImage scene, int x0, int y0, int width, int height, int cropSize,
        ReadOnlySpan<double> sigmas, ReadOnlySpan<float> weights, Span<float> field)
    {
        if (field.Length < width * height) throw new ArgumentException("field too small", nameof(field));
        double maxSigma = 0;
        foreach (double s in sigmas) maxSigma = Math.Max(maxSigma, s);
        int radius = Radius(maxSigma, cropSize);
        int cx0 = x0 + cropSize / 2, cy0 = y0 + cropSize / 2;
        // Luminance over the centres' block plus the filter margin (clamped to the scene; the margin lies inside every crop).
        int lx0 = cx0 - radius, ly0 = cy0 - radius, lw = width + 2 * radius, lh = height + 2 * radius;
        if (lx0 < 0 || ly0 < 0 || lx0 + lw > scene.Width || ly0 + lh > scene.Height)
            throw new ArgumentOutOfRangeException(nameof(x0), "score block leaves the scene");
        int taps = 2 * radius + 1, lumLength = lw * lh, midLength = lh * width;
        float[] buffer = ArrayPool<float>.Shared.Rent(lumLength + midLength + taps);
        try
        {
            Span<float> lum = buffer.AsSpan(0, lumLength), mid = buffer.AsSpan(lumLength, midLength), k = buffer.AsSpan(lumLength + midLength, taps);
            Luminance(scene, lx0, ly0, lw, lh, lum);
            Span<float> outField = field[..(width * height)];
            outField.Clear();
            for (int t = 0; t < sigmas.Length; t++)
            {
                Kernel(sigmas[t], radius, k);
                AddBlurAtCentres(lum, lw, lh, width, height, k, k, mid, weights[t], outField);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// fields[t·width·height + j·width + i] = ((kernelsX[t] ⊗ kernelsY[t]) * luminance)(centre of the crop at (x0 + i, y0 + j)):
    /// separable filters of any shape (derivatives of Gaussians: <see cref="HessianScoreField"/>), each term's x and y kernels
    /// 2·radius + 1 taps long, concatenated; radius at most (C − 1)/2 so every tap lies inside the crop.
    /// </summary>
    public static void ComputeTerms(RgbImage scene, int x0, int y0, int width, int height, int cropSize, int radius,
        ReadOnlySpan<float> kernelsX, ReadOnlySpan<float> kernelsY, Span<float> fields)
    {
        int taps = 2 * radius + 1, terms = kernelsX.Length / taps;
        if (radius > (cropSize - 1) / 2) throw new ArgumentOutOfRangeException(nameof(radius), "the filter leaves the crop");
        if (kernelsX.Length != terms * taps || kernelsY.Length != kernelsX.Length) throw new ArgumentException("one x and one y kernel of 2·radius + 1 taps per term");
        if (fields.Length < terms * width * height) throw new ArgumentException("fields too small", nameof(fields));
        int lx0 = x0 + cropSize / 2 - radius, ly0 = y0 + cropSize / 2 - radius, lw = width + 2 * radius, lh = height + 2 * radius;
        if (lx0 < 0 || ly0 < 0 || lx0 + lw > scene.Width || ly0 + lh > scene.Height)
            throw new ArgumentOutOfRangeException(nameof(x0), "score block leaves the scene");
        int lumLength = lw * lh, midLength = lh * width;
        float[] buffer = ArrayPool<float>.Shared.Rent(lumLength + midLength);
        try
        {
            Span<float> lum = buffer.AsSpan(0, lumLength), mid = buffer.AsSpan(lumLength, midLength);
            Luminance(scene, lx0, ly0, lw, lh, lum);
            for (int t = 0; t < terms; t++)
            {
                Span<float> field = fields.Slice(t * width * height, width * height);
                field.Clear();
                AddBlurAtCentres(lum, lw, lh, width, height, kernelsX.Slice(t * taps, taps), kernelsY.Slice(t * taps, taps), mid, 1f, field);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    private static void Luminance(RgbImage scene, int lx0, int ly0, int lw, int lh, Span<float> lum)
    {
        for (int y = 0; y < lh; y++)
        {
            ReadOnlySpan<byte> row = scene.ReadOnlyRow(ly0 + y).Slice(3 * lx0, 3 * lw);
            Span<float> dst = lum.Slice(y * lw, lw);
            for (int x = 0, p = 0; x < lw; x++, p += 3) dst[x] = 0.299f * row[p] + 0.587f * row[p + 1] + 0.114f * row[p + 2];
        }
    }

    internal static void Kernel(double sigma, int radius, Span<float> k)
    {
        double sum = 0;
        for (int i = -radius; i <= radius; i++) sum += k[i + radius] = (float)Math.Exp(-i * i / (2 * sigma * sigma));
        for (int i = 0; i < k.Length; i++) k[i] = (float)(k[i] / sum);
    }

    private static void AddBlurAtCentres(ReadOnlySpan<float> lum, int lw, int lh, int width, int height, ReadOnlySpan<float> kx,
        ReadOnlySpan<float> ky, Span<float> mid, float weight, Span<float> field)
    {
        // Horizontal pass only at the columns that are centres, then vertical at the centre rows.
        for (int y = 0; y < lh; y++)
        {
            ReadOnlySpan<float> row = lum.Slice(y * lw, lw);
            for (int x = 0; x < width; x++)
            {
                float acc = 0;
                ReadOnlySpan<float> taps = row.Slice(x, kx.Length);
                for (int t = 0; t < kx.Length; t++) acc += kx[t] * taps[t];
                mid[y * width + x] = acc;
            }
        }
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                float acc = 0;
                for (int t = 0; t < ky.Length; t++) acc += ky[t] * mid[(y + t) * width + x];
                field[y * width + x] += weight * acc;
            }
    }
}
