using RobustCrop.Core.Imaging;
using RobustCrop.IO.Imaging;
using SkiaSharp;

namespace RobustCrop.Benchmarks.Motion;

/// <summary>
/// The first versions of the noise and JPEG views, kept as the "before" of the motion bench (the rotation's first version
/// is <see cref="SceneRotationReference"/>, which the tests also compare against).
/// </summary>
internal static class FirstMotionRenderers
{
    /// <summary>Box–Muller per pair of bytes on SplitMix64 uniforms (a logarithm, a square root, a cosine and a sine each).</summary>
    public static RgbImage BoxMullerNoise(RgbImage scene, double sigma, ulong seed, string key)
    {
        var dst = new RgbImage(scene.Width, scene.Height);
        ReadOnlySpan<byte> src = scene.Pixels;
        Span<byte> output = dst.Pixels;
        ulong state = seed ^ Fnv1a(key);
        for (int i = 0; i < src.Length; i += 2)
        {
            double u1 = Uniform(ref state), u2 = Uniform(ref state);
            double radius = Math.Sqrt(-2 * Math.Log(u1)), angle = 2 * Math.PI * u2;
            output[i] = Noisy(src[i], sigma * radius * Math.Cos(angle));
            if (i + 1 < src.Length) output[i + 1] = Noisy(src[i + 1], sigma * radius * Math.Sin(angle));
        }
        return dst;
    }

    private static byte Noisy(byte value, double noise) => (byte)Math.Clamp(Math.Round(value + noise), 0, 255);

    private static double Uniform(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return ((z >> 11) + 1) * (1.0 / (1UL << 53));
    }

    private static ulong Fnv1a(string key)
    {
        ulong h = 0xCBF29CE484222325UL;
        foreach (char c in key) { h ^= c; h *= 0x100000001B3UL; }
        return h;
    }

    /// <summary>A native SKBitmap per call, filled one byte at a time, encoded, decoded.</summary>
    public static RgbImage BitmapJpegRoundTrip(RgbImage scene, int quality)
    {
        var info = new SKImageInfo(scene.Width, scene.Height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        using var bitmap = new SKBitmap(info);
        Span<byte> rgba = bitmap.GetPixelSpan();
        ReadOnlySpan<byte> rgb = scene.Pixels;
        for (int i = 0, j = 0; i < rgb.Length; i += 3, j += 4)
        {
            rgba[j] = rgb[i];
            rgba[j + 1] = rgb[i + 1];
            rgba[j + 2] = rgb[i + 2];
            rgba[j + 3] = 255;
        }
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, quality)!;
        return ImageDecoder.Decode(data.Span, DecodeLimits.Default).Image!;
    }
}
