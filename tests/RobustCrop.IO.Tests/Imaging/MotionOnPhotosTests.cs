using RobustCrop.Core.Geometry;
using RobustCrop.Core.Imaging;
using RobustCrop.Core.Motion;
using RobustCrop.IO.Imaging;
using RobustCrop.TestSupport;
using SkiaSharp;

namespace RobustCrop.IO.Tests.Imaging;

/// <summary>The motion renderer on the shipped photos: the same known answers as on synthetic images, on real content.</summary>
public sealed class MotionOnPhotosTests
{
    public static TheoryData<string> Photos()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.EnumerateFiles(Path.Combine(RepoPaths.Samples, "photos"), "*.png").Order(StringComparer.Ordinal).Take(6))
            data.Add(Path.GetFileName(f));
        return data;
    }

    private static RgbImage Decode(string name)
        => ImageDecoder.Decode(File.ReadAllBytes(Path.Combine(RepoPaths.Samples, "photos", name)), DecodeLimits.Default).Image!;

    [Theory]
    [MemberData(nameof(Photos))]
    public void The_offset_0_render_is_the_current_resize_byte_for_byte(string photo)
    {
        var src = Decode(photo);
        foreach (var interp in new[] { Interpolation.Bilinear, Interpolation.Bicubic })
        {
            var (w, h) = SceneResizer.ShorterSideSize(src.Width, src.Height, 256);
            Assert.Equal(SceneResizerReference.Resize(src, w, h, interp).Pixels, SceneResizer.Render(src, w, h, interp, 0, 0).Pixels);
        }
    }

    [Theory]
    [MemberData(nameof(Photos))]
    public void Subpixel_1_is_the_one_pixel_shift_and_identity_motions_are_the_base(string photo)
    {
        var src = Decode(photo);
        var scene = SceneResizer.ResizeShorterSide(src, 256, Interpolation.Bilinear);
        var g = new SceneGeometry(scene.Width, scene.Height, 256, 224);
        var set = MotionViews.Render(new MotionSpec(MotionKind.Subpixel, 1), src, scene, 256, Interpolation.Bilinear, 1, photo, null);
        for (int i = 0; i < set.Views.Count; i++)
        {
            var d = ShiftSets.N1[i];
            var view = set.Views[i].Scene;
            for (int y = 0; y < 224; y++)
                Assert.True(view.ReadOnlyRow(g.BaseY + y).Slice(g.BaseX * 3, 224 * 3)
                    .SequenceEqual(scene.ReadOnlyRow(g.BaseY + d.Dy + y).Slice((g.BaseX + d.Dx) * 3, 224 * 3)), $"{photo} {d} row {y}");
        }
        foreach (var spec in MotionSpec.ParseList("rotate:0,zoom:1,noise:0"))
            Assert.All(MotionViews.Render(spec, src, scene, 256, Interpolation.Bilinear, 1, photo, null).Views,
                v => Assert.True(v.Scene.Pixels.AsSpan().SequenceEqual(scene.Pixels), $"{photo} {spec}"));
    }

    [Fact]
    public void A_jpeg_round_trip_keeps_the_size_and_is_close_at_high_quality_and_far_at_low()
    {
        var src = Decode("astronaut.png");
        var scene = SceneResizer.ResizeShorterSide(src, 256, Interpolation.Bilinear);
        double Error(int q)
        {
            var back = JpegSceneCodec.Instance.JpegRoundTrip(scene, q);
            Assert.Equal((scene.Width, scene.Height), (back.Width, back.Height));
            return scene.Pixels.Zip(back.Pixels, (a, b) => Math.Abs(a - b)).Average();
        }
        double high = Error(95), low = Error(10);
        Assert.InRange(high, 0.1, 3);
        Assert.True(low > 2 * high, $"q=10 error {low} vs q=95 {high}");
    }

    // The codec encodes from a pooled pixmap over its own RGBA conversion; the first version filled a native SKBitmap one byte
    // at a time and encoded that. Same pixels, same encoder settings: the same file, byte for byte.
    [Theory]
    [InlineData(95)]
    [InlineData(50)]
    [InlineData(10)]
    public void The_jpeg_encode_is_the_bitmap_encode_byte_for_byte(int quality)
    {
        var scene = SceneResizer.ResizeShorterSide(Decode("astronaut.png"), 256, Interpolation.Bilinear);
        var info = new SKImageInfo(scene.Width, scene.Height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        using var bitmap = new SKBitmap(info);
        Span<byte> rgba = bitmap.GetPixelSpan();
        for (int i = 0; i < scene.Width * scene.Height; i++)
        {
            scene.Pixels.AsSpan(3 * i, 3).CopyTo(rgba.Slice(4 * i, 3));
            rgba[4 * i + 3] = 255;
        }
        using var want = bitmap.Encode(SKEncodedImageFormat.Jpeg, quality);
        using var got = JpegSceneCodec.Encode(scene, quality);
        Assert.True(want.Span.SequenceEqual(got.Span), $"q={quality}: {got.Size} bytes against {want.Size}");
    }

    [Fact]
    public void Rgb_to_rgba_widens_every_pixel_and_makes_it_opaque()
    {
        // 7 pixels: the vector loop's four and the scalar tail's three.
        byte[] rgb = [.. Enumerable.Range(1, 21).Select(i => (byte)i)];
        var rgba = new byte[28];
        JpegSceneCodec.RgbToRgba(rgb, rgba);
        Assert.Equal(Enumerable.Range(0, 7).SelectMany(p => new byte[] { (byte)(3 * p + 1), (byte)(3 * p + 2), (byte)(3 * p + 3), 255 }), rgba);
    }
}
