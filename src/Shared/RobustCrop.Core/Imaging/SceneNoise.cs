namespace RobustCrop.Core.Imaging;

/// <summary>
/// Gaussian noise of σ grey levels on every channel of a scene (DESIGN §4b, <c>noise:σ</c>), drawn from a generator
/// seeded by the run's seed and the image's key: the same image gets the same noise on every node and every rerun.
/// σ = 0 gives the scene's bytes exactly.
/// </summary>
public static class SceneNoise
{
    public static RgbImage Add(RgbImage scene, double sigma, ulong seed, string key)
    {
        ArgumentNullException.ThrowIfNull(scene);
        ArgumentNullException.ThrowIfNull(key);
        if (!(sigma >= 0) || !double.IsFinite(sigma)) throw new ArgumentOutOfRangeException(nameof(sigma), "σ must be finite and not negative");
        var dst = new RgbImage(scene.Width, scene.Height);
        ReadOnlySpan<byte> src = scene.Pixels;
        Span<byte> output = dst.Pixels;
        ulong state = seed ^ Fnv1a(key);
        for (int i = 0; i < src.Length; i += 2)
        {
            // Box–Muller: two independent normals from two uniforms in (0, 1].
            double u1 = Uniform(ref state), u2 = Uniform(ref state);
            double radius = Math.Sqrt(-2 * Math.Log(u1)), angle = 2 * Math.PI * u2;
            output[i] = Noisy(src[i], sigma * radius * Math.Cos(angle));
            if (i + 1 < src.Length) output[i + 1] = Noisy(src[i + 1], sigma * radius * Math.Sin(angle));
        }
        return dst;
    }

    private static byte Noisy(byte value, double noise) => (byte)Math.Clamp(Math.Round(value + noise), 0, 255);

    // SplitMix64: small, fast, well distributed, and the same on every platform (System.Random's algorithm is not a contract).
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
}
