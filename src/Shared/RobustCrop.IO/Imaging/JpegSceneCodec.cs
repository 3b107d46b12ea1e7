using System.Buffers;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using RobustCrop.Core.Imaging;
using RobustCrop.Core.Motion;
using SkiaSharp;

namespace RobustCrop.IO.Imaging;

/// <summary><c>jpeg:q</c>'s round trip through SkiaSharp's JPEG encoder (libjpeg-turbo) and the project's decoder.</summary>
/// <remarks>
/// Skia has no 3-byte pixel format, so the scene goes in as RGBA: its rows are widened four pixels a shuffle into a pooled
/// buffer that the encoder reads in place (a pixmap over the pinned buffer, no native bitmap per call). The encoder's
/// settings are SKBitmap.Encode's (quality q, 4:2:0), so the bytes are those of the first version. What remains is the
/// codec itself: the motion bench prints it apart from the conversions.
/// </remarks>
public sealed class JpegSceneCodec : ISceneCodec
{
    public static JpegSceneCodec Instance { get; } = new();

    public RgbImage JpegRoundTrip(RgbImage scene, int quality)
    {
        using var data = Encode(scene, quality);
        var decoded = ImageDecoder.Decode(data.Span, DecodeLimits.Default);
        return decoded.Image ?? throw new InvalidOperationException($"re-encoded scene did not decode: {decoded.Error}");
    }

    /// <summary>The scene as a JPEG file at <paramref name="quality"/>; the caller disposes it.</summary>
    public static SKData Encode(RgbImage scene, int quality)
    {
        ArgumentNullException.ThrowIfNull(scene);
        ArgumentOutOfRangeException.ThrowIfLessThan(quality, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quality, 100);
        var info = new SKImageInfo(scene.Width, scene.Height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        int length = checked(scene.Width * scene.Height * 4);
        byte[] rgba = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            RgbToRgba(scene.Pixels, rgba.AsSpan(0, length));
            unsafe
            {
                fixed (byte* p = rgba)
                {
                    using var pixmap = new SKPixmap(info, (IntPtr)p, info.RowBytes);
                    return pixmap.Encode(SKEncodedImageFormat.Jpeg, quality)
                        ?? throw new InvalidOperationException($"JPEG encoding of a {scene.Width}x{scene.Height} scene failed");
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rgba);
        }
    }

    // R, G, B of four pixels spread to lanes 0-2, 4-6, 8-10, 12-14; the alpha lanes (index out of range) read 0 and are set.
    private static readonly Vector128<byte> AddAlpha = Vector128.Create((byte)0, 1, 2, 255, 3, 4, 5, 255, 6, 7, 8, 255, 9, 10, 11, 255);

    /// <summary>Opaque RGBA from RGB, four pixels a shuffle while a 16-byte load stays in the RGB row.</summary>
    public static void RgbToRgba(ReadOnlySpan<byte> rgb, Span<byte> rgba)
    {
        int pixels = rgb.Length / 3, x = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            var alpha = Vector128.Create(0xFF000000u).AsByte();
            ref byte s = ref MemoryMarshal.GetReference(rgb);
            ref byte d = ref MemoryMarshal.GetReference(rgba);
            for (; 3 * x + 16 <= rgb.Length; x += 4)
                (Vector128.Shuffle(Vector128.LoadUnsafe(ref s, (nuint)(3 * x)), AddAlpha) | alpha).StoreUnsafe(ref d, (nuint)(4 * x));
        }
        for (; x < pixels; x++)
        {
            rgba[4 * x] = rgb[3 * x];
            rgba[4 * x + 1] = rgb[3 * x + 1];
            rgba[4 * x + 2] = rgb[3 * x + 2];
            rgba[4 * x + 3] = 255;
        }
    }
}
