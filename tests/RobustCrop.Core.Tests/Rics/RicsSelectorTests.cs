using RobustCrop.Core.Geometry;
using RobustCrop.Core.Imaging;
using RobustCrop.Core.Rics;

namespace RobustCrop.Core.Tests.Rics;

public sealed class RicsSelectorTests
{
    private static RgbImage Noise(int w, int h, int seed)
    {
        var img = new RgbImage(w, h);
        new Random(seed).NextBytes(img.Pixels);
        return img;
    }

    [Fact]
    public void Rolling_window_hash_equals_the_direct_hash_of_each_window()
    {
        var scene = Noise(40, 37, 1);
        var field = new ulong[7 * 5];
        WindowHashField.Compute(scene, 3, 4, 7, 5, 16, seed: 42, field);
        for (int j = 0; j < 5; j++)
            for (int i = 0; i < 7; i++)
                Assert.Equal(WindowHashField.HashOf(scene, 3 + i, 4 + j, 16, 42), field[j * 7 + i]);
    }

    [Fact]
    public void Cyclic_window_hash_equals_the_hash_of_the_window_of_the_image_tiled_with_itself()
    {
        // Cyclic RICS hashes a few tied rolls directly and many as a field over the 2×2 tiling: the same image must hash the same.
        // The 9×9 block at (2, 3) of a larger scene, tiled by hand.
        var scene = Noise(14, 15, 3);
        var tiled = new RgbImage(17, 17);
        for (int r = 0; r < 17; r++)
            for (int c = 0; c < 17; c++)
                scene.ReadOnlyRow(3 + r % 9).Slice(3 * (2 + c % 9), 3).CopyTo(tiled.Row(r).Slice(3 * c, 3));
        var seen = new HashSet<ulong>();
        for (int y = 0; y < 9; y++)
            for (int x = 0; x < 9; x++)
            {
                ulong h = WindowHashField.HashOfCyclic(scene, 2, 3, 9, x, y, 11);
                Assert.Equal(WindowHashField.HashOf(tiled, x, y, 9, 11), h);
                Assert.True(seen.Add(h), $"roll ({x},{y}) hashes like another roll of a noise image");
            }
    }

    [Fact]
    public void Equal_pixels_hash_equal_wherever_they_are()
    {
        var scene = Noise(64, 32, 2);
        // Copy the window at (0,0) to (40,8): same content, other position, same hash.
        for (int r = 0; r < 12; r++) scene.ReadOnlyRow(r).Slice(0, 36).CopyTo(scene.Row(8 + r).Slice(120, 36));
        Assert.Equal(WindowHashField.HashOf(scene, 0, 0, 12, 7), WindowHashField.HashOf(scene, 40, 8, 12, 7));
        Assert.NotEqual(WindowHashField.HashOf(scene, 0, 0, 12, 7), WindowHashField.HashOf(scene, 1, 0, 12, 7));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(9)]
    public void Hash_rics_one_pixel_consistency_matches_the_overlap_bound(int n)
    {
        // Random-noise scenes: the hash behaves like independent draws, so P(same crop) = |A∩B| / |A∪B| exactly.
        const int scenes = 600, crop = 12;
        int axisSame = 0, axisTotal = 0, diagSame = 0, diagTotal = 0;
        for (int s = 0; s < scenes; s++)
        {
            var scene = Noise(40, 40, 1000 + s);
            var sel = new RicsSelector(scene, new CropPosition(14, 14), crop, n, 1, seed: (ulong)s);
            var at0 = sel.Select(n, RicsScore.Hash, Shift.Zero)!.Value.Position;
            foreach (var d in ShiftSets.Axis1) { axisTotal++; if (sel.Select(n, RicsScore.Hash, d)!.Value.Position == at0) axisSame++; }
            foreach (var d in ShiftSets.N1.Except(ShiftSets.Axis1)) { diagTotal++; if (sel.Select(n, RicsScore.Hash, d)!.Value.Position == at0) diagSame++; }
        }
        double axis = (double)axisSame / axisTotal, diag = (double)diagSame / diagTotal;
        // 2400 correlated draws per kind: the standard error is below 0.015 even counting each scene once; allow 4 of them.
        Assert.InRange(axis, RicsScores.AxisBound(n) - 0.06, RicsScores.AxisBound(n) + 0.06);
        Assert.InRange(diag, RicsScores.OverlapBound(n, 1, 1) - 0.06, RicsScores.OverlapBound(n, 1, 1) + 0.06);
    }

    [Fact]
    public void Overlap_bound_of_an_axis_shift_is_n_minus_1_over_n_plus_1()
    {
        Assert.Equal(0.8, RicsScores.OverlapBound(9, 1, 0), 12);
        Assert.Equal(RicsScores.AxisBound(15), RicsScores.OverlapBound(15, 0, -1), 12);
        Assert.Equal(4.0 / 14.0, RicsScores.OverlapBound(3, 1, 1), 12);
    }

    [Fact]
    public void A_shifted_frame_selects_the_same_scene_crop_when_the_maximum_stays_in_view()
    {
        var scene = Noise(48, 48, 5);
        var sel = new RicsSelector(scene, new CropPosition(16, 16), 16, 5, 1, seed: 9);
        var c0 = sel.Select(5, RicsScore.Hash, Shift.Zero)!.Value;
        var c1 = sel.Select(5, RicsScore.Hash, new Shift(1, 0))!.Value;
        // The frame moved right by one: if the choice did not change, its offset within the window moved left by one.
        if (c0.Position == c1.Position) Assert.Equal(c0.OffsetX - 1, c1.OffsetX);
        Assert.InRange(c0.OffsetX, -2, 2);
    }

    [Fact]
    public void Frames_whose_window_leaves_the_scene_are_not_taken()
    {
        var scene = Noise(20, 20, 3);
        var sel = new RicsSelector(scene, new CropPosition(2, 2), 16, 5, 1, seed: 1);
        Assert.NotNull(sel.Select(5, RicsScore.Hash, Shift.Zero));
        Assert.Null(sel.Select(5, RicsScore.Hash, new Shift(1, 0))); // 2 + 1 + 2 + 16 = 21 > 20
    }

    [Fact]
    public void Dog_score_finds_a_blob_inside_the_window_not_on_its_edge()
    {
        // A bright Gaussian blob centred on the crop centre two pixels right of the base: the DoG maximum picks it.
        var scene = new RgbImage(64, 64);
        int bx = 16 + 2 + 8, by = 16 + 8;
        for (int y = 0; y < 64; y++)
            for (int x = 0; x < 64; x++)
            {
                byte v = (byte)(40 + 200 * Math.Exp(-((x - bx) * (x - bx) + (y - by) * (y - by)) / (2.0 * 2.5 * 2.5)));
                scene.Row(y)[3 * x] = scene.Row(y)[3 * x + 1] = scene.Row(y)[3 * x + 2] = v;
            }
        var sel = new RicsSelector(scene, new CropPosition(16, 16), 16, 9, 1, seed: 1);
        var c = sel.Select(9, RicsScore.Dog, Shift.Zero)!.Value;
        Assert.Equal((2, 0), (c.OffsetX, c.OffsetY));
        Assert.False(c.OnBorder);
        Assert.Equal(c.Position, sel.Select(9, RicsScore.Dog, new Shift(1, 1))!.Value.Position);
    }
}
