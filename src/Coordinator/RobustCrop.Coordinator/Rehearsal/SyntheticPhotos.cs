using SkiaSharp;

namespace RobustCrop.Coordinator.Rehearsal;

/// <summary>One generated sample: the JPEG bytes (or the damaged bytes of a corrupt one) and what img2dataset records of it.</summary>
public sealed record SyntheticSample(byte[] Bytes, int Width, int Height, string Source, bool Corrupt);

/// <summary>
/// Distinct real JPEGs cut from a few source photos, the way a web crawl looks to the pipeline: 256–1024 px sides, aspect
/// ratios from 1:2 to 2:1, a random part of a random photo at a random scale, mirrored half the time, colour-shifted, at
/// JPEG quality 75–95. Sample i depends only on (seed, i), so any subset can be made again in any order, in parallel.
/// </summary>
public sealed class SyntheticPhotos : IDisposable
{
    public const int MinSide = 256, MaxSide = 1024;

    private readonly (string Name, SKImage Image)[] _sources;
    private readonly int _seed;
    private readonly double _corruptRate;

    /// <param name="photos">Decodable images; each sample is cut from one of them.</param>
    /// <param name="corruptRate">Fraction of samples made unusable (truncated JPEG, bytes that are no image, empty).</param>
    public SyntheticPhotos(IReadOnlyList<string> photos, int seed, double corruptRate)
    {
        ArgumentNullException.ThrowIfNull(photos);
        if (photos.Count == 0) throw new ArgumentException("no source photos");
        if (corruptRate is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(corruptRate));
        _sources = [.. photos.Order(StringComparer.Ordinal).Select(p => (Path.GetFileNameWithoutExtension(p), Decode(p)))];
        _seed = seed;
        _corruptRate = corruptRate;
    }

    public SyntheticSample Make(long index)
    {
        // A 64-bit mix of (seed, index), so neighbouring indices get unrelated streams.
        ulong z = unchecked((ulong)_seed * 0x9E3779B97F4A7C15UL + (ulong)index + 1);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        var rng = new Random(unchecked((int)(z ^ (z >> 31))));
        var (name, source) = _sources[rng.Next(_sources.Length)];
        double aspect = Math.Exp((rng.NextDouble() * 2 - 1) * Math.Log(2)); // width / height in [1/2, 2]
        int width = rng.Next(MinSide, MaxSide + 1);
        int height = Math.Clamp((int)Math.Round(width / aspect), MinSide, MaxSide);
        // The cut: a random scale of the largest rectangle of that aspect the source holds, at a random place.
        double fit = Math.Min(source.Width / (double)width, source.Height / (double)height);
        double scale = fit * (0.35 + 0.65 * rng.NextDouble());
        float cutW = (float)(width * scale), cutH = (float)(height * scale);
        float left = (float)(rng.NextDouble() * (source.Width - cutW)), top = (float)(rng.NextDouble() * (source.Height - cutH));
        bool mirror = rng.Next(2) == 0;
        int quality = rng.Next(75, 96);
        using var filter = SKColorFilter.CreateColorMatrix(ColourShift(rng));
        using var paint = new SKPaint { ColorFilter = filter };
        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque))
            ?? throw new InvalidOperationException($"could not allocate a {width}x{height} surface");
        var canvas = surface.Canvas;
        if (mirror)
        {
            canvas.Translate(width, 0);
            canvas.Scale(-1, 1);
        }
        canvas.DrawImage(source, new SKRect(left, top, left + cutW, top + cutH), new SKRect(0, 0, width, height),
            new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None), paint);
        using var snapshot = surface.Snapshot();
        using var data = snapshot.Encode(SKEncodedImageFormat.Jpeg, quality);
        byte[] bytes = data.ToArray();
        if (rng.NextDouble() >= _corruptRate) return new SyntheticSample(bytes, width, height, name, Corrupt: false);
        byte[] damaged = rng.Next(3) switch
        {
            0 => bytes[..(bytes.Length * (20 + rng.Next(50)) / 100)], // cut off mid-scan, as an interrupted download
            1 => Noise(rng, 4096), // not an image at all
            _ => [], // an empty file
        };
        return new SyntheticSample(damaged, width, height, name, Corrupt: true);
    }

    // Decoded once into pixels: drawn from many threads at once, with no lazy decoding behind it.
    private static SKImage Decode(string path)
    {
        using var encoded = SKImage.FromEncodedData(path) ?? throw new InvalidDataException($"{path} is not a decodable image");
        return encoded.ToRasterImage(ensurePixelData: true);
    }

    private static byte[] Noise(Random rng, int length)
    {
        var b = new byte[length];
        rng.NextBytes(b);
        return b;
    }

    /// <summary>Gains 0.75–1.25 per channel, an offset of ±20 levels and a saturation change, as white balance and
    /// exposure vary between cameras.</summary>
    private static float[] ColourShift(Random rng)
    {
        float s = (float)(0.6 + 0.8 * rng.NextDouble());
        float[] gain = [(float)(0.75 + 0.5 * rng.NextDouble()), (float)(0.75 + 0.5 * rng.NextDouble()), (float)(0.75 + 0.5 * rng.NextDouble())];
        float offset = (float)((rng.NextDouble() * 2 - 1) * 20 / 255.0);
        // Saturation mixes each channel with the luma (Rec. 601 weights), then the gains and the offset apply.
        float[] luma = [0.299f, 0.587f, 0.114f];
        var m = new float[20];
        for (int r = 0; r < 3; r++)
        {
            for (int c = 0; c < 3; c++) m[r * 5 + c] = gain[r] * ((1 - s) * luma[c] + (r == c ? s : 0));
            m[r * 5 + 4] = offset;
        }
        m[18] = 1;
        return m;
    }

    public void Dispose()
    {
        foreach (var (_, image) in _sources) image.Dispose();
    }
}
