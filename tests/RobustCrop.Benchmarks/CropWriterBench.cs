using System.Diagnostics;

namespace RobustCrop.Benchmarks;

/// <summary>
/// Micro-benchmark of <see cref="CropWriter"/> for the <c>bench</c> command: 224² crops of a seeded random 256×288 scene
/// with ImageNet normalisation, cycling through the unshifted crop and the N1 rolls, as a shift plan does.
/// </summary>
public static class CropWriterBench
{
    /// <summary>Milliseconds per crop (after a warm-up); <paramref name="reference"/> times <see cref="CropWriterReference"/> instead.</summary>
    public static double Run(int crops = 2000, bool reference = false) => Run(crops, reference ? Variant.Reference : Variant.Floats);

    /// <summary>Which crop assembly <see cref="Run(int, Variant)"/> times.</summary>
    public enum Variant { Floats, Reference, Bytes }

    /// <summary>Milliseconds per crop; <see cref="Variant.Bytes"/> is <see cref="CropBytes"/>, what models normalising in their graph get.</summary>
    public static double Run(int crops, Variant variant)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(crops);
        const int size = 224;
        var scene = new RgbImage(256, 288);
        new Random(12345).NextBytes(scene.Pixels);
        float[] dest = new float[3 * size * size];
        byte[] bytes = new byte[3 * size * size];
        (int X, int Y)[] rolls = [(0, 0), (1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (1, -1), (-1, 1), (-1, -1)];
        var norm = PixelNormalization.ImageNet;

        void One(int k)
        {
            (int rx, int ry) = rolls[k % rolls.Length];
            if (variant == Variant.Reference) CropWriterReference.WriteRolled(scene, 16, 32, size, rx, ry, norm, dest);
            else if (variant == Variant.Bytes) CropBytes.WriteRolled(scene, 16, 32, size, rx, ry, bytes);
            else CropWriter.WriteRolled(scene, 16, 32, size, rx, ry, norm, dest);
        }

        for (int k = 0; k < Math.Min(crops, 200); k++) One(k);
        var sw = Stopwatch.StartNew();
        for (int k = 0; k < crops; k++) One(k);
        return sw.Elapsed.TotalMilliseconds / crops;
    }
}
