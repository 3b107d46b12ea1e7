using System.Globalization;
using RobustCrop.IO.Data;
using SkiaSharp;

namespace RobustCrop.Benchmarks;

/// <summary>
/// Cuts the natural-photo bench set (scripts/natural-photos.sh): COUNT crops of the source photos at seeded random
/// positions and scales, each downscaled to 300–600 px on its short side and saved as JPEG quality 95, so that a
/// model's resize to 256 is a real downscale of real camera detail, as for a photo collection.
/// </summary>
/// <remarks>
/// Crop i comes from source i mod the number of sources (sorted by name), so every photo gives the same number of crops
/// (±1). Its short side is a uniform fraction of the photo's short side in [0.2, 0.8] (raised so the crop keeps at
/// least 300 px; a photo's short side must be 300 px or more, and under 375 px every crop has exactly 300), its aspect
/// ratio log-uniform in [1, 4/3], portrait or landscape at even odds, its position uniform.
/// The generator is SplitMix64 written out here, so a seed gives the same set on every .NET version.
/// Downscaling halves by 2×2 box averages while the crop is at least twice the target, then a Mitchell cubic: no
/// aliasing from a single large-ratio step.
/// </remarks>
public static class PhotoCutter
{
    public const int MinShortSide = 300;
    public const int MaxShortSide = 600;
    private const double MinFraction = 0.2;
    private const double MaxFraction = 0.8;
    private const double MaxAspect = 4.0 / 3.0;

    /// <summary>One crop: the source index, the rectangle in the source, and the saved size.</summary>
    public sealed record Crop(int Source, int X, int Y, int Width, int Height, int OutWidth, int OutHeight);

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        if (args.Length is < 2 or > 4)
        {
            error.WriteLine("usage: cut-photos SOURCE_DIR OUT_DIR [COUNT=300] [SEED=1]");
            return 2;
        }
        string sourceDir = args[0], outDir = args[1];
        if (!TryPositive(args, 2, 300, out int count) || !TryPositive(args, 3, 1, out int seed))
        {
            error.WriteLine("cut-photos: COUNT and SEED are positive integers");
            return 2;
        }
        if (!Directory.Exists(sourceDir))
        {
            error.WriteLine($"cut-photos: source folder not found: {sourceDir}");
            return 2;
        }
        if (Directory.Exists(outDir) && Directory.EnumerateFileSystemEntries(outDir).Any())
        {
            error.WriteLine($"cut-photos: {outDir} is not empty; give a new or empty folder, so that no stale crop joins the set");
            return 2;
        }
        var sources = Directory.GetFiles(sourceDir).Where(ImageFolderDataset.IsImageFile).Order(StringComparer.Ordinal).ToArray();
        if (sources.Length == 0)
        {
            error.WriteLine($"cut-photos: no image files in {sourceDir}");
            return 2;
        }
        var sizes = new (int Width, int Height)[sources.Length];
        for (int i = 0; i < sources.Length; i++)
        {
            using var codec = SKCodec.Create(sources[i]);
            if (codec is null)
            {
                error.WriteLine($"cut-photos: cannot decode {sources[i]}");
                return 1;
            }
            sizes[i] = (codec.Info.Width, codec.Info.Height);
            if (Math.Min(sizes[i].Width, sizes[i].Height) < MinShortSide)
            {
                error.WriteLine($"cut-photos: {sources[i]} is {sizes[i].Width}x{sizes[i].Height}; a source needs a short side of at least {MinShortSide} px");
                return 2;
            }
        }

        var crops = Plan(sizes, count, (ulong)seed);
        Directory.CreateDirectory(outDir);
        var names = new string[crops.Count];
        for (int s = 0; s < sources.Length; s++)
        {
            using var photo = Decode(sources[s]);
            for (int i = s; i < crops.Count; i += sources.Length)
            {
                names[i] = string.Create(CultureInfo.InvariantCulture, $"{i:D4}-{Path.GetFileNameWithoutExtension(sources[s])}.jpg");
                Save(photo, crops[i], Path.Combine(outDir, names[i]));
            }
        }
        WriteListing(outDir, sources, crops, names);
        output.WriteLine($"cut-photos: {crops.Count} crops of {sources.Length} photos (seed {seed}) in {outDir}");
        return 0;
    }

    /// <summary>The crops, in output order; a pure function of the source sizes, the count and the seed.</summary>
    public static IReadOnlyList<Crop> Plan(IReadOnlyList<(int Width, int Height)> sizes, int count, ulong seed)
    {
        var rng = new SplitMix64(seed);
        var crops = new Crop[count];
        for (int i = 0; i < count; i++)
        {
            int s = i % sizes.Count;
            var (w0, h0) = sizes[s];
            int shortSide = Math.Min(w0, h0);
            double lo = Math.Max(MinFraction, (double)MinShortSide / shortSide);
            // A photo under 375 px (300 / 0.8) on its short side gives crops of exactly 300 px; the draw is still taken,
            // so the crops of larger photos stay those of earlier versions.
            double hi = Math.Max(MaxFraction, lo);
            int cropShort = (int)Math.Round((lo + (hi - lo) * rng.NextDouble()) * shortSide);
            int cropLong = (int)Math.Round(cropShort * Math.Exp(rng.NextDouble() * Math.Log(MaxAspect)));
            bool portrait = rng.NextDouble() < 0.5;
            int w = Math.Min(portrait ? cropShort : cropLong, w0);
            int h = Math.Min(portrait ? cropLong : cropShort, h0);
            int x = (int)(rng.NextDouble() * (w0 - w + 1));
            int y = (int)(rng.NextDouble() * (h0 - h + 1));
            int target = MinShortSide + (int)(rng.NextDouble() * (MaxShortSide - MinShortSide + 1));
            int outShort = Math.Min(target, Math.Min(w, h));
            double scale = (double)outShort / Math.Min(w, h);
            crops[i] = new Crop(s, x, y, w, h, (int)Math.Round(w * scale), (int)Math.Round(h * scale));
        }
        return crops;
    }

    private static SKBitmap Decode(string path)
    {
        using var codec = SKCodec.Create(path) ?? throw new InvalidDataException($"cannot decode {path}");
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        return SKBitmap.Decode(codec, info) ?? throw new InvalidDataException($"cannot decode {path}");
    }

    private static void Save(SKBitmap photo, Crop crop, string path)
    {
        var current = new SKBitmap();
        if (!photo.ExtractSubset(current, SKRectI.Create(crop.X, crop.Y, crop.Width, crop.Height)))
            throw new InvalidOperationException($"crop {crop} is outside the photo");
        try
        {
            // A bilinear sample at an exact half lands between two source pixels: a 2×2 box average.
            while (current.Width >= 2 * crop.OutWidth && current.Height >= 2 * crop.OutHeight)
                current = Replace(current, current.Resize(new SKImageInfo(current.Width / 2, current.Height / 2, SKColorType.Rgba8888, SKAlphaType.Premul),
                    new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None)));
            if (current.Width != crop.OutWidth || current.Height != crop.OutHeight)
                current = Replace(current, current.Resize(new SKImageInfo(crop.OutWidth, crop.OutHeight, SKColorType.Rgba8888, SKAlphaType.Premul),
                    new SKSamplingOptions(SKCubicResampler.Mitchell)));
            using var image = SKImage.FromBitmap(current);
            using var data = image.Encode(SKEncodedImageFormat.Jpeg, 95);
            using var file = File.Create(path);
            data.SaveTo(file);
        }
        finally
        {
            current.Dispose();
        }
    }

    private static SKBitmap Replace(SKBitmap old, SKBitmap? next)
    {
        old.Dispose();
        return next ?? throw new InvalidOperationException("resize failed");
    }

    // crops.txt: skipped by the image-folder dataset (a .txt file), it says where each crop came from.
    private static void WriteListing(string outDir, string[] sources, IReadOnlyList<Crop> crops, string[] names)
    {
        using var writer = new StreamWriter(Path.Combine(outDir, "crops.txt"));
        writer.WriteLine("file\tsource\tx\ty\twidth\theight\tout_width\tout_height");
        for (int i = 0; i < crops.Count; i++)
        {
            var c = crops[i];
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{names[i]}\t{Path.GetFileName(sources[c.Source])}\t{c.X}\t{c.Y}\t{c.Width}\t{c.Height}\t{c.OutWidth}\t{c.OutHeight}"));
        }
    }

    private static bool TryPositive(string[] args, int index, int fallback, out int value)
    {
        value = fallback;
        return args.Length <= index || (int.TryParse(args[index], NumberStyles.None, CultureInfo.InvariantCulture, out value) && value > 0);
    }

    private sealed class SplitMix64(ulong seed)
    {
        private ulong _state = seed;

        public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

        private ulong Next()
        {
            ulong z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }
}
