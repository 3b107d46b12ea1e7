using RobustCrop.Core.Imaging;
using RobustCrop.IO.Imaging;

namespace RobustCrop.IO.Tests.Imaging;

public sealed class ImageDecoderTests
{
    private static byte[] Fixture(string name)
        => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "bad-inputs", name));

    private static DecodeResult DecodeFixture(string name) => ImageDecoder.Decode(Fixture(name), DecodeLimits.Default);

    private static (byte R, byte G, byte B) Px(RgbImage img, int x, int y)
    {
        ReadOnlySpan<byte> row = img.ReadOnlyRow(y);
        return (row[x * 3], row[x * 3 + 1], row[x * 3 + 2]);
    }

    [Theory]
    [InlineData("empty.jpg", "empty file")]
    [InlineData("text.jpg", "not an image: unrecognised format")]
    [InlineData("huge-dims.png", "image is 100000x100000 = 10000000000 pixels, over the 40000000-pixel limit")]
    [InlineData("tiny-4x4.png", "image 4x4 is smaller than the 8-px minimum side")]
    [InlineData("truncated.png", "truncated PNG: the image data ends before the last row")]
    // Garbage entropy-coded data decodes as bit noise until the bytes run out without an EOI: libjpeg sees a short file.
    [InlineData("corrupt.jpg", "truncated JPEG: the image data ends before the last row")]
    public void Bad_inputs_give_the_exact_error(string file, string expected)
    {
        DecodeResult r = DecodeFixture(file);
        Assert.Null(r.Image);
        Assert.Equal(expected, r.Error);
    }

    [Fact]
    public void A_jpeg_cut_inside_its_header_is_an_error_naming_jpeg()
    {
        byte[] jpg = Fixture("good-rgb.jpg");
        DecodeResult r = ImageDecoder.Decode(jpg.AsSpan(0, 40), DecodeLimits.Default);
        Assert.Null(r.Image);
        Assert.StartsWith("truncated JPEG", r.Error);
    }

    [Fact]
    public void Huge_header_reports_its_size_without_decoding()
    {
        DecodeResult r = DecodeFixture("huge-dims.png");
        Assert.Equal((100000, 100000, "PNG"), (r.SourceWidth, r.SourceHeight, r.Format));
    }

    [Theory]
    [InlineData("good-rgb.jpg", 96, 64, "JPEG")]
    [InlineData("good-rgb.png", 96, 64, "PNG")]
    [InlineData("grey16.png", 48, 64, "PNG")]
    [InlineData("cmyk.jpg", 64, 48, "JPEG")]
    [InlineData("animated.gif", 32, 24, "GIF")]
    [InlineData("oriented-6.jpg", 24, 40, "JPEG")]
    public void Usable_inputs_decode_to_rgb_of_the_upright_size(string file, int w, int h, string format)
    {
        DecodeResult r = DecodeFixture(file);
        Assert.Null(r.Error);
        Assert.NotNull(r.Image);
        Assert.Equal((w, h, w, h, format), (r.Image.Width, r.Image.Height, r.SourceWidth, r.SourceHeight, format));
        Assert.Equal(format, r.Format);
    }

    [Fact]
    public void Grey16_is_expanded_to_equal_channels_and_keeps_its_vertical_gradient()
    {
        // gradient:black-white runs top (black) to bottom (white).
        RgbImage img = DecodeFixture("grey16.png").Image!;
        for (int y = 0; y < img.Height; y++)
        {
            var (r, g, b) = Px(img, 5, y);
            Assert.True(r == g && g == b, $"row {y}: ({r},{g},{b}) is not grey");
        }
        Assert.True(Px(img, 0, 0).R < 5);
        Assert.True(Px(img, 0, img.Height - 1).R > 250);
    }

    [Fact]
    public void Animated_gif_gives_the_first_frame()
    {
        // Frame 0 is pure red, frame 1 pure blue.
        RgbImage img = DecodeFixture("animated.gif").Image!;
        Assert.Equal(((byte)255, (byte)0, (byte)0), Px(img, 10, 10));
    }

    [Fact]
    public void Exif_orientation_6_rotates_into_upright_pixels()
    {
        // Stored 40x24 with the red half on the left; RightTop means the stored left edge is the upright top.
        RgbImage img = DecodeFixture("oriented-6.jpg").Image!;
        var top = Px(img, 12, 5);
        var bottom = Px(img, 12, 34);
        Assert.True(top.R > 200 && top.B < 60, $"top is {top}");
        Assert.True(bottom.B > 200 && bottom.R < 60, $"bottom is {bottom}");
    }

    [Theory]
    // Stored 40x24 quadrants R G / B W (W = white). Expected upright quadrants TL TR BL BR, read off the EXIF 0x0112
    // definitions ("row 0 is the visual X side, column 0 the visual Y side"), not derived from the implementation.
    [InlineData(1, "RGBW")]
    [InlineData(2, "GRWB")]
    [InlineData(3, "WBGR")]
    [InlineData(4, "BWRG")]
    [InlineData(5, "RBGW")]
    [InlineData(6, "BRWG")]
    [InlineData(7, "WGBR")]
    [InlineData(8, "GWRB")]
    public void Every_exif_orientation_gives_upright_quadrants(int orientation, string quadrants)
    {
        RgbImage img = DecodeFixture($"orient-{orientation}.jpg").Image!;
        bool swapped = orientation >= 5;
        Assert.Equal(swapped ? (24, 40) : (40, 24), (img.Width, img.Height));
        int qx = img.Width / 4, qy = img.Height / 4;
        (int X, int Y)[] centres = [(qx, qy), (3 * qx, qy), (qx, 3 * qy), (3 * qx, 3 * qy)];
        for (int q = 0; q < 4; q++)
        {
            var (r, g, b) = Px(img, centres[q].X, centres[q].Y);
            char seen = (r > 200, g > 200, b > 200) switch
            {
                (true, false, false) => 'R',
                (false, true, false) => 'G',
                (false, false, true) => 'B',
                (true, true, true) => 'W',
                _ => '?',
            };
            Assert.True(quadrants[q] == seen, $"orientation {orientation}, quadrant {q}: expected {quadrants[q]}, pixel ({r},{g},{b})");
        }
    }

    [Fact]
    public void Cmyk_jpeg_matches_the_rgb_original_roughly()
    {
        // Both come from the same photo (cat, mostly warm grey/brown): CMYK conversion must not invert or swap channels.
        RgbImage cmyk = DecodeFixture("cmyk.jpg").Image!;
        double mean = cmyk.Pixels.Average(b => (double)b);
        Assert.InRange(mean, 60, 200);
    }

    [Fact]
    public void Pixel_limit_is_checked_on_the_header()
    {
        DecodeResult r = ImageDecoder.Decode(Fixture("good-rgb.png"), new DecodeLimits(MaxPixels: 96 * 64 - 1));
        Assert.Equal("image is 96x64 = 6144 pixels, over the 6143-pixel limit", r.Error);
    }

    [Fact]
    public void Byte_limit_is_checked_first()
    {
        byte[] png = Fixture("good-rgb.png");
        DecodeResult r = ImageDecoder.Decode(png, new DecodeLimits(MaxBytes: 100));
        Assert.Equal($"file is {png.Length} bytes, over the 100-byte limit", r.Error);
    }

    [Fact]
    public void Every_prefix_of_a_png_is_an_error_not_an_exception()
    {
        byte[] png = Fixture("good-rgb.png");
        for (int n = 0; n < png.Length; n += 97)
        {
            DecodeResult r = ImageDecoder.Decode(png.AsSpan(0, n), DecodeLimits.Default);
            Assert.Null(r.Image);
            Assert.False(string.IsNullOrWhiteSpace(r.Error));
        }
    }

    // Widths around the vector loop's four-pixel steps and its stop six pixels before the end of a row.
    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(10)]
    [InlineData(13)]
    [InlineData(512)]
    public void Rgba_rows_lose_their_alpha_and_nothing_else(int width)
    {
        const int height = 3;
        var rgba = new byte[width * height * 4];
        new Random(width).NextBytes(rgba);
        var image = new RgbImage(width, height);
        ImageDecoder.RgbaToUprightRgb(rgba, width, height, SkiaSharp.SKEncodedOrigin.TopLeft, image);
        for (int p = 0; p < width * height; p++)
            for (int c = 0; c < 3; c++)
                Assert.True(image.Pixels[3 * p + c] == rgba[4 * p + c], $"width {width}: pixel {p} channel {c} is {image.Pixels[3 * p + c]}, source {rgba[4 * p + c]}");
    }

    [Fact]
    public void Png_pixels_are_exact_at_known_positions()
    {
        // Values read with ImageMagick: `convert good-rgb.png -crop 1x1+X+Y -depth 8 txt:-`.
        RgbImage img = DecodeFixture("good-rgb.png").Image!;
        Assert.Equal(((byte)150, (byte)61, (byte)26), Px(img, 10, 20));
        Assert.Equal(((byte)151, (byte)72, (byte)33), Px(img, 95, 63));
    }

    [Fact]
    public void Grey16_is_reduced_to_8_bits_by_value()
    {
        // 16-bit samples from ImageMagick: row 0 = 0, row 31 = 32247 (125.5 in 8-bit), row 63 = 65535.
        RgbImage img = DecodeFixture("grey16.png").Image!;
        Assert.Equal(0, Px(img, 5, 0).R);
        Assert.InRange(Px(img, 5, 31).R, (byte)125, (byte)126);
        Assert.Equal(255, Px(img, 5, 63).R);
    }
}
