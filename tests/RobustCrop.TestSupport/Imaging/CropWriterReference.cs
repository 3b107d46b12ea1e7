using RobustCrop.Core.Imaging;

namespace RobustCrop.TestSupport;

/// <summary>
/// The original scalar <see cref="CropWriter"/>, kept verbatim as the oracle the fast path is tested against bit for bit
/// and as the baseline of <see cref="CropWriterBench"/>. Not for production use: it is several times slower.
/// </summary>
public static class CropWriterReference
{
    /// <summary>Writes the size×size window whose top-left is (x, y) into <paramref name="dest"/> (length 3·size·size).</summary>
    public static void Write(RgbImage scene, int x, int y, int size, PixelNormalization norm, Span<float> dest)
        => WriteRolled(scene, x, y, size, 0, 0, norm, dest);

    /// <summary>
    /// Writes the window rolled cyclically with torch.roll semantics: out[i, j] = crop[(i − rollY) mod size, (j − rollX) mod size].
    /// </summary>
    public static void WriteRolled(RgbImage scene, int x, int y, int size, int rollX, int rollY, PixelNormalization norm, Span<float> dest)
    {
        CheckWindow(scene, x, y, size);
        int plane = size * size;
        if (dest.Length < 3 * plane) throw new ArgumentException($"destination holds {dest.Length} floats, needs {3 * plane}", nameof(dest));
        Span<int> src = stackalloc int[3];
        // Source channel feeding each output channel.
        if (norm.Order == ChannelOrder.Rgb) { src[0] = 0; src[1] = 1; src[2] = 2; } else { src[0] = 2; src[1] = 1; src[2] = 0; }
        Span<float> scale = stackalloc float[3];
        Span<float> offset = stackalloc float[3];
        for (int c = 0; c < 3; c++)
        {
            // (p * Scale - mean) / std  ==  p * (Scale / std) - mean / std
            scale[c] = norm.Scale / norm.Std[c];
            offset[c] = norm.Mean[c] / norm.Std[c];
        }
        // The one change since it was written: the normalisation's arrays became immutable, read here as a span.
        bool hasMeanImage = norm.MeanImage is not null;
        ReadOnlySpan<float> meanImage = hasMeanImage ? norm.MeanImage!.Value.AsSpan() : default;
        if (hasMeanImage && meanImage.Length != 3 * plane)
            throw new ArgumentException($"mean image has {meanImage.Length} values, the crop needs {3 * plane}");
        rollX = Mod(rollX, size);
        rollY = Mod(rollY, size);
        for (int i = 0; i < size; i++)
        {
            int srcRow = Mod(i - rollY, size);
            ReadOnlySpan<byte> row = scene.ReadOnlyRow(y + srcRow).Slice(x * 3, size * 3);
            for (int c = 0; c < 3; c++)
            {
                Span<float> outRow = dest.Slice(c * plane + i * size, size);
                int sc = src[c];
                float s = scale[c], o = offset[c];
                for (int j = 0; j < size; j++)
                {
                    int srcCol = j - rollX;
                    if (srcCol < 0) srcCol += size;
                    outRow[j] = row[srcCol * 3 + sc] * s - o;
                }
                if (hasMeanImage)
                {
                    ReadOnlySpan<float> m = meanImage.Slice(c * plane + i * size, size);
                    float inv = 1f / norm.Std[c];
                    for (int j = 0; j < size; j++) outRow[j] -= m[j] * inv;
                }
            }
        }
    }

    private static int Mod(int a, int m) { int r = a % m; return r < 0 ? r + m : r; }

    private static void CheckWindow(RgbImage scene, int x, int y, int size)
    {
        if (x < 0 || y < 0 || x + size > scene.Width || y + size > scene.Height)
            throw new ArgumentOutOfRangeException(nameof(x), $"window {size}x{size} at ({x},{y}) leaves the {scene.Width}x{scene.Height} scene");
    }
}
