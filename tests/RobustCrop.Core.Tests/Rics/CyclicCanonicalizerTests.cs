using RobustCrop.Core.Geometry;
using RobustCrop.Core.Imaging;
using RobustCrop.Core.Rics;

namespace RobustCrop.Core.Tests.Rics;

public sealed class CyclicCanonicalizerTests
{
    private static byte[] CanonicalPixels(RgbImage scene, CropPosition p, int size, int rx, int ry)
    {
        var (cx, cy) = CyclicCanonicalizer.Canonicalize(scene, p, size, rx, ry);
        var dest = new float[3 * size * size];
        CropWriter.WriteRolled(scene, p.X, p.Y, size, cx, cy, new PixelNormalization(ChannelOrder.Rgb, 1, [0, 0, 0], [1, 1, 1]), dest);
        return dest.Select(f => (byte)f).ToArray();
    }

    [Fact]
    public void Every_roll_of_a_noise_crop_has_the_same_canonical_image()
    {
        var scene = new RgbImage(40, 40);
        new Random(11).NextBytes(scene.Pixels);
        var p = new CropPosition(5, 7);
        var reference = CanonicalPixels(scene, p, 24, 0, 0);
        for (int ry = -24; ry <= 24; ry += 5)
            for (int rx = -24; rx <= 24; rx += 3)
                Assert.Equal(reference, CanonicalPixels(scene, p, 24, rx, ry));
    }

    [Fact]
    public void A_crop_with_a_strong_wrap_seam_stays_unrolled()
    {
        // A horizontal and vertical ramp: the wrap-around seams (255 → 0) are the strongest, so the identity roll wins.
        var scene = new RgbImage(16, 16);
        for (int y = 0; y < 16; y++)
            for (int x = 0; x < 16; x++)
            {
                scene.Row(y)[3 * x] = (byte)(x * 16);
                scene.Row(y)[3 * x + 1] = (byte)(y * 16);
            }
        Assert.Equal((0, 0), CyclicCanonicalizer.Canonicalize(scene, new CropPosition(0, 0), 16, 0, 0));
        Assert.Equal((0, 0), CyclicCanonicalizer.Canonicalize(scene, new CropPosition(0, 0), 16, 5, -3));
    }

    [Fact]
    public void Ties_of_a_periodic_crop_are_broken_by_content_so_rolls_still_agree()
    {
        // Period-4 stripes: four columns share the strongest seam; every roll must still give one canonical image.
        var scene = new RgbImage(16, 16);
        for (int y = 0; y < 16; y++)
            for (int x = 0; x < 16; x++)
                scene.Row(y)[3 * x] = (byte)((x % 4) * 60 + (y == 3 ? 7 : 0));
        var reference = CanonicalPixels(scene, new CropPosition(0, 0), 16, 0, 0);
        for (int r = 0; r < 16; r++)
            Assert.Equal(reference, CanonicalPixels(scene, new CropPosition(0, 0), 16, r, 2 * r));
    }

    [Fact]
    public void A_padded_object_is_cut_in_the_middle_of_its_background_so_it_stays_where_it_was()
    {
        // A bright square in the middle of a black 16x16 crop (Fashion-MNIST-like padding): the wrap seam lies in the
        // middle of the black band, so the unshifted crop stays unrolled and every roll maps back to it.
        var scene = new RgbImage(16, 16);
        for (int y = 5; y <= 10; y++)
            for (int x = 5; x <= 10; x++)
                scene.Row(y)[3 * x] = scene.Row(y)[3 * x + 1] = (byte)(100 + 10 * x + y);
        Assert.Equal((0, 0), CyclicCanonicalizer.Canonicalize(scene, new CropPosition(0, 0), 16, 0, 0));
        var reference = CanonicalPixels(scene, new CropPosition(0, 0), 16, 0, 0);
        for (int r = -16; r < 16; r++)
            Assert.Equal(reference, CanonicalPixels(scene, new CropPosition(0, 0), 16, r, -r / 2));
    }

    [Fact]
    public void The_wrap_seam_wins_over_a_stronger_edge_that_ramps_over_several_seams()
    {
        // Background 70 + x: every seam steps by 1 except the wrap-around seam, which jumps 31 at once. A bright bar's
        // edges climb 50 per pixel over three pixels: the strongest single seams (51 > 31), but not standing out from
        // their neighbours. The wrap seam does, so the unshifted crop stays unrolled, and a rolled one is rolled back.
        var crop = new RgbImage(32, 32);
        for (int y = 0; y < 32; y++)
            for (int x = 0; x < 32; x++)
            {
                int bar = x switch { 11 => 50, 12 => 100, >= 13 and <= 17 => 150, 18 => 100, 19 => 50, _ => 0 };
                crop.Row(y)[3 * x] = (byte)(70 + x + bar);
            }
        Assert.Equal(0, CyclicCanonicalizer.Canonicalize(crop, new CropPosition(0, 0), 32, 0, 0).RollX);
        Assert.Equal(0, CyclicCanonicalizer.Canonicalize(crop, new CropPosition(0, 0), 32, 7, 0).RollX);
    }

    [Theory]
    [InlineData("noise")]
    [InlineData("stripes")]
    [InlineData("wide stripes")]
    [InlineData("padded")]
    public void Many_rolls_at_once_answer_exactly_as_one_call_per_roll(string content)
    {
        // Noise (no ties), period-4 stripes (6 tied columns, broken by the hash field), period-12 stripes (2 tied columns,
        // each hashed directly) and a padded square (flat bands).
        var scene = new RgbImage(30, 30);
        if (content == "noise") new Random(5).NextBytes(scene.Pixels);
        for (int y = 0; y < 30; y++)
            for (int x = 0; x < 30; x++)
            {
                if (content == "stripes") scene.Row(y)[3 * x] = (byte)((x % 4) * 60 + (y == 9 ? 7 : 0));
                if (content == "wide stripes") scene.Row(y)[3 * x] = (byte)((x % 12) * 20 + (y == 9 ? 7 : 0) + (x % 12 == 5 ? 90 : 0));
                if (content == "padded" && x is >= 8 and < 20 && y is >= 10 and < 17) scene.Row(y)[3 * x + 1] = (byte)(100 + x + y);
            }
        var p = new CropPosition(3, 2);
        (int, int)[] rolls = [(0, 0), (1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, -1), (1, -1), (-1, 1), (7, -13), (25, 25)];
        var together = CyclicCanonicalizer.CanonicalizeRolls(scene, p, 24, rolls);
        Assert.Equal(rolls.Select(r => CyclicCanonicalizer.Canonicalize(scene, p, 24, r.Item1, r.Item2)), together);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void A_tie_hashed_candidate_by_candidate_picks_what_the_hash_field_picks(int seed)
    {
        // The same candidates, rolls and pixels through both paths: the chosen seam may not depend on the path.
        var scene = new RgbImage(30, 30);
        new Random(seed).NextBytes(scene.Pixels);
        var rng = new Random(100 + seed);
        var p = new CropPosition(3, 2);
        for (int trial = 0; trial < 20; trial++)
        {
            var columns = Enumerable.Range(0, 1 + rng.Next(3)).Select(_ => rng.Next(24)).Distinct().ToList();
            var rows = Enumerable.Range(0, 1 + rng.Next(2)).Select(_ => rng.Next(24)).Distinct().ToList();
            int rx = rng.Next(-30, 30), ry = rng.Next(-30, 30);
            var direct = CyclicCanonicalizer.TieBreak(scene, p, 24, rx, ry, columns, rows, directHashes: int.MaxValue);
            var field = CyclicCanonicalizer.TieBreak(scene, p, 24, rx, ry, columns, rows, directHashes: 0);
            Assert.Equal(field, direct);
        }
    }

    [Fact]
    public void Same_pixels_compares_the_rolled_inputs_not_their_plan_keys()
    {
        // Period-24 tiling: the window at (x0 + 5, y0 + 2) is the window at (x0, y0) rolled by (−5, −2), so the two keys
        // name one image; a third roll of the same window, and any crop of a noise scene, do not.
        var tile = new byte[24 * 24 * 3];
        new Random(8).NextBytes(tile);
        var scene = new RgbImage(40, 40);
        for (int y = 0; y < 40; y++)
            for (int x = 0; x < 40; x++)
                for (int ch = 0; ch < 3; ch++) scene.Row(y)[3 * x + ch] = tile[3 * ((y % 24) * 24 + x % 24) + ch];
        var a = new PlannedCrop(new CropPosition(3, 4), 0, 0);
        Assert.True(CyclicCanonicalizer.SamePixels(scene, a, new PlannedCrop(new CropPosition(8, 6), 5, 2), 24));
        Assert.True(CyclicCanonicalizer.SamePixels(scene, new PlannedCrop(new CropPosition(3, 4), 7, 1), new PlannedCrop(new CropPosition(8, 6), 12, 3), 24));
        Assert.False(CyclicCanonicalizer.SamePixels(scene, a, new PlannedCrop(new CropPosition(8, 6), 5, 3), 24));
        var noise = new RgbImage(40, 40);
        new Random(9).NextBytes(noise.Pixels);
        Assert.False(CyclicCanonicalizer.SamePixels(noise, a, new PlannedCrop(new CropPosition(4, 4), 1, 0), 24));
        Assert.True(CyclicCanonicalizer.SamePixels(noise, a, a, 24));
    }
}
