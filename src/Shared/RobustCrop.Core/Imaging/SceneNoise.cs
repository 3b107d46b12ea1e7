using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace RobustCrop.Core.Imaging;

/// <summary>
/// Gaussian noise of σ grey levels on every channel of a scene (DESIGN §4b, <c>noise:σ</c>), drawn from a generator
/// seeded by the run's seed and the image's key: the same image gets the same noise on every node and every rerun.
/// σ = 0 gives the scene's bytes exactly.
/// </summary>
/// <remarks>
/// Each deviate is one of the 4096 quantiles of the standard normal at (i + ½)/4096, rescaled to unit variance, picked by
/// 12 bits of a SplitMix64 stream (five deviates a draw): a symmetric distribution with mean exactly 0 and variance
/// exactly 1 that follows the normal to ±3.67σ and has no tail beyond. Far finer than the grey levels it is rounded to,
/// and no logarithm or cosine per byte (Box–Muller cost 4.5 ms a 256² scene, this 0.3 ms). The σ-scaled, rounded table is
/// built once a call, so a byte costs a table look-up, an add and a clamp.
/// </remarks>
public static class SceneNoise
{
    private const int Bits = 12, Levels = 1 << Bits, PerDraw = 64 / Bits;

    // Immutable after the type's initialisation.
    private static readonly double[] Deviates = UnitNormalQuantiles();

    public static RgbImage Add(RgbImage scene, double sigma, ulong seed, string key)
    {
        ArgumentNullException.ThrowIfNull(scene);
        ArgumentNullException.ThrowIfNull(key);
        if (!(sigma >= 0) || !double.IsFinite(sigma)) throw new ArgumentOutOfRangeException(nameof(sigma), "σ must be finite and not negative");
        var dst = new RgbImage(scene.Width, scene.Height);
        // v + round(σ·z), rounded half away from zero; past ±255 every byte clamps alike, so the offsets fit in shorts.
        Span<short> offsets = stackalloc short[Levels];
        for (int i = 0; i < Levels; i++) offsets[i] = (short)Math.Clamp(Math.Round(sigma * Deviates[i], MidpointRounding.AwayFromZero), -256, 256);
        ReadOnlySpan<byte> src = scene.Pixels;
        Span<byte> output = dst.Pixels;
        Span<short> noise = stackalloc short[PerDraw * 64];
        ulong state = seed ^ Fnv1a(key);
        for (int start = 0; start < src.Length; start += noise.Length)
        {
            int n = Math.Min(noise.Length, src.Length - start);
            for (int i = 0; i < n; i += PerDraw)
            {
                ulong z = Next(ref state);
                for (int k = 0; k < PerDraw && i + k < n; k++, z >>= Bits) noise[i + k] = offsets[(int)(z & (Levels - 1))];
            }
            AddClamped(src.Slice(start, n), noise[..n], output.Slice(start, n));
        }
        return dst;
    }

    // clamp(v + noise, 0, 255), eight bytes at a time where the hardware has it.
    private static void AddClamped(ReadOnlySpan<byte> src, ReadOnlySpan<short> noise, Span<byte> dst)
    {
        int i = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            ref byte s = ref MemoryMarshal.GetReference(src);
            ref short z = ref MemoryMarshal.GetReference(noise);
            ref byte d = ref MemoryMarshal.GetReference(dst);
            for (; i + 16 <= src.Length; i += 16)
            {
                var (lo, hi) = Vector128.Widen(Vector128.LoadUnsafe(ref s, (nuint)i));
                var a = Vector128.Clamp(lo.AsInt16() + Vector128.LoadUnsafe(ref z, (nuint)i), Vector128<short>.Zero, Vector128.Create((short)255));
                var b = Vector128.Clamp(hi.AsInt16() + Vector128.LoadUnsafe(ref z, (nuint)i + 8), Vector128<short>.Zero, Vector128.Create((short)255));
                Vector128.Narrow(a.AsUInt16(), b.AsUInt16()).StoreUnsafe(ref d, (nuint)i);
            }
        }
        for (; i < src.Length; i++) dst[i] = (byte)Math.Clamp(src[i] + noise[i], 0, 255);
    }

    // SplitMix64: small, fast, well distributed, and the same on every platform (System.Random's algorithm is not a contract).
    private static ulong Next(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong Fnv1a(string key)
    {
        ulong h = 0xCBF29CE484222325UL;
        foreach (char c in key) { h ^= c; h *= 0x100000001B3UL; }
        return h;
    }

    /// <summary>The normal quantiles at (i + ½)/Levels, mirrored so the table is exactly symmetric, scaled to variance 1.</summary>
    private static double[] UnitNormalQuantiles()
    {
        var q = new double[Levels];
        for (int i = 0; i < Levels / 2; i++)
        {
            q[i] = InverseNormal((i + 0.5) / Levels);
            q[Levels - 1 - i] = -q[i];
        }
        double variance = 0;
        foreach (double x in q) variance += x * x;
        double scale = 1 / Math.Sqrt(variance / Levels);
        for (int i = 0; i < Levels; i++) q[i] *= scale;
        return q;
    }

    /// <summary>Acklam's rational approximation of the normal quantile (relative error below 1.2e-9), for p ≤ ½.</summary>
    private static double InverseNormal(double p)
    {
        if (p < 0.02425)
        {
            double t = Math.Sqrt(-2 * Math.Log(p));
            return (((((-7.784894002430293e-03 * t - 3.223964580411365e-01) * t - 2.400758277161838e+00) * t - 2.549732539343734e+00) * t
                     + 4.374664141464968e+00) * t + 2.938163982698783e+00)
                   / ((((7.784695709041462e-03 * t + 3.224671290700398e-01) * t + 2.445134137142996e+00) * t + 3.754408661907416e+00) * t + 1);
        }
        double q = p - 0.5, r = q * q;
        return (((((-3.969683028665376e+01 * r + 2.209460984245205e+02) * r - 2.759285104469687e+02) * r + 1.383577518672690e+02) * r
                 - 3.066479806614716e+01) * r + 2.506628277459239e+00) * q
               / (((((-5.447609879822406e+01 * r + 1.615858368580409e+02) * r - 1.556989798598866e+02) * r + 6.680131188771972e+01) * r
                   - 1.328068155288572e+01) * r + 1);
    }
}
