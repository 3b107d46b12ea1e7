using RobustCrop.Core.Imaging;
using RobustCrop.Core.Motion;
using SkiaSharp;

namespace RobustCrop.IO.Imaging;

/// <summary><c>jpeg:q</c>'s round trip through SkiaSharp's JPEG encoder and the project's decoder.</summary>
public sealed class JpegSceneCodec : ISceneCodec
{
    public static JpegSceneCodec Instance { get; } = new();

    public RgbImage JpegRoundTrip(RgbImage scene, int quality)
    {
        ArgumentNullException.ThrowIfNull(scene);
        ArgumentOutOfRangeException.ThrowIfLessThan(quality, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quality, 100);
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
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, quality)
            ?? throw new InvalidOperationException($"JPEG encoding of a {scene.Width}x{scene.Height} scene failed");
        var decoded = ImageDecoder.Decode(data.Span, DecodeLimits.Default);
        return decoded.Image ?? throw new InvalidOperationException($"re-encoded scene did not decode: {decoded.Error}");
    }
}
