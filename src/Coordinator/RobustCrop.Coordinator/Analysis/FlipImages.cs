using RobustCrop.Core.Imaging;
using RobustCrop.Core.Settings;
using RobustCrop.IO.Data;
using RobustCrop.Worker.Pipeline;
using SkiaSharp;

namespace RobustCrop.Coordinator.Analysis;

/// <summary>
/// Draws flipped examples from the source data: the run stores no pixels, so each flipped image is read again and
/// prepared by the pipeline's <see cref="ImagePreparer"/> (the model's settings from the Parquet metadata), and the two crops are cut at the absolute scene positions the crops table records.
/// </summary>
public static class FlipImages
{
    private const int Tile = 224, Pad = 12, Caption = 46;

    /// <summary>One PNG per example whose image is found in <paramref name="dataSpec"/>; keyed by (model, image key).</summary>
    public static Dictionary<(string Model, string Key), byte[]> Render(string dataSpec, IReadOnlyList<FlipExample> flips,
        IReadOnlyDictionary<string, ScenePreprocessing> preprocessing, SKTypeface? typeface, CancellationToken ct)
    {
        var result = new Dictionary<(string, string), byte[]>();
        var wanted = flips.Where(f => preprocessing.ContainsKey(f.Model)).GroupBy(f => f.ImageKey, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        if (wanted.Count == 0) return result;
        var dataset = DatasetFactory.Open(dataSpec);
        // The pipeline's own preparer, so a drawn scene is the very scene evaluate cropped (same decode limits and resizer).
        var families = flips.Where(f => preprocessing.ContainsKey(f.Model))
            .Select(f => (preprocessing[f.Model].ResizeSize, preprocessing[f.Model].Interpolation)).Distinct().ToList();
        var preparer = new ImagePreparer(families, new RunSettings(new RunId("report")) { Data = dataSpec });
        foreach (var shard in dataset.PlanShards(1024))
        {
            foreach (var record in dataset.ReadShard(shard))
            {
                ct.ThrowIfCancellationRequested();
                if (!wanted.TryGetValue(record.Key, out var examples)) continue;
                var image = preparer.Prepare(record);
                if (image.IsError) continue;
                foreach (var f in examples)
                {
                    var pre = preprocessing[f.Model];
                    var scene = image.Scenes[(pre.ResizeSize, pre.Interpolation)];
                    if (!Fits(scene, f.BaseX, f.BaseY, pre.InputSize) || !Fits(scene, f.ShiftX, f.ShiftY, pre.InputSize)) continue;
                    result[(f.Model, f.ImageKey)] = SideBySide(scene, pre.InputSize, f, typeface);
                }
                wanted.Remove(record.Key);
                if (wanted.Count == 0) return result;
            }
        }
        return result;
    }

    private static bool Fits(RgbImage scene, int x, int y, int size) => x >= 0 && y >= 0 && x + size <= scene.Width && y + size <= scene.Height;

    private static byte[] SideBySide(RgbImage scene, int size, FlipExample f, SKTypeface? typeface)
    {
        int width = 2 * Tile + 3 * Pad, height = Tile + 2 * Pad + Caption;
        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var paint = new SKPaint { IsAntialias = true };
        using var font = new SKFont(typeface ?? SKTypeface.Default, 14);
        DrawCrop(canvas, scene, f.BaseX, f.BaseY, size, Pad, Pad);
        DrawCrop(canvas, scene, f.ShiftX, f.ShiftY, size, 2 * Pad + Tile, Pad);
        paint.Color = SKColors.Black;
        // A flip names the two answers; a representation change (no class answer) gives the cosine between the two embeddings.
        canvas.DrawText(f.Cosine is null ? "base: " + Answer(f.BasePrediction, f.BaseLabel) : "base", Pad, Tile + Pad + 20, SKTextAlign.Left, font, paint);
        paint.Color = new SKColor(0xB0, 0x10, 0x10);
        string shifted = f.Cosine is { } c ? $"cosine {c.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture)}" : Answer(f.ShiftPrediction, f.ShiftLabel);
        canvas.DrawText($"shift ({f.Dx:+0;-0;0},{f.Dy:+0;-0;0}): " + shifted, 2 * Pad + Tile, Tile + Pad + 20, SKTextAlign.Left, font, paint);
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    private static string Answer(int? prediction, string? label) => label ?? prediction?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "—";

    /// <summary>Copies the size×size crop at (x, y) of the scene and draws it scaled to one tile, without smoothing so
    /// the one-pixel difference between the two crops stays visible.</summary>
    private static void DrawCrop(SKCanvas canvas, RgbImage scene, int x, int y, int size, int left, int top)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var pixels = new byte[size * size * 4];
        for (int row = 0; row < size; row++)
        {
            var src = scene.ReadOnlyRow(y + row).Slice(x * 3, size * 3);
            int o = row * size * 4;
            for (int i = 0, s = 0; i < size; i++, s += 3, o += 4)
            {
                pixels[o] = src[s];
                pixels[o + 1] = src[s + 1];
                pixels[o + 2] = src[s + 2];
                pixels[o + 3] = 255;
            }
        }
        System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        using var image = SKImage.FromBitmap(bitmap);
        canvas.DrawImage(image, new SKRect(left, top, left + Tile, top + Tile), new SKSamplingOptions(SKFilterMode.Nearest));
    }
}
