using System.Diagnostics;
using RobustCrop.IO.Imaging;

namespace RobustCrop.Benchmarks;

/// <summary>
/// What preparing one input costs the feed, on the shipped sample photos (512-px PNGs and JPEGs, the feed target's data):
/// the decode (Skia, then RGBA to RGB), and the resize to a 256-px scene (bilinear, the default zoo) and to a 224-px one
/// (bicubic, CLIP and DINOv2), each against <see cref="SceneResizerReference"/>, the scalar code the resizer replaced.
/// </summary>
public static class PrepareBench
{
    public sealed record Figures(double DecodeMs, double BilinearMs, double BilinearReferenceMs, double BicubicMs, double BicubicReferenceMs, int Images);

    /// <summary>Milliseconds per image (after a warm-up), each figure over <paramref name="rounds"/> passes of every photo.</summary>
    public static Figures Run(int rounds = 20)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rounds);
        var files = Directory.GetFiles(Path.Combine(RepoPaths.Samples, "photos")).Where(f => !f.EndsWith(".md", StringComparison.Ordinal)).Order().ToList();
        var encoded = files.Select(File.ReadAllBytes).ToList();
        var limits = DecodeLimits.Default;
        var images = encoded.Select(b => ImageDecoder.Decode(b, limits).Image!).ToList();

        double Time(Action<int> one)
        {
            for (int i = 0; i < images.Count; i++) one(i);
            var sw = Stopwatch.StartNew();
            for (int r = 0; r < rounds; r++)
                for (int i = 0; i < images.Count; i++) one(i);
            return sw.Elapsed.TotalMilliseconds / (rounds * images.Count);
        }

        return new Figures(
            Time(i => ImageDecoder.Decode(encoded[i], limits)),
            Time(i => SceneResizer.ResizeShorterSide(images[i], 256, Interpolation.Bilinear)),
            Time(i => SceneResizerReference.ResizeShorterSide(images[i], 256, Interpolation.Bilinear)),
            Time(i => SceneResizer.ResizeShorterSide(images[i], 224, Interpolation.Bicubic)),
            Time(i => SceneResizerReference.ResizeShorterSide(images[i], 224, Interpolation.Bicubic)),
            images.Count);
    }
}
