using RobustCrop.Core.Geometry;
using RobustCrop.Core.Imaging;
using RobustCrop.Core.Rics;

namespace RobustCrop.Core.Tests.Rics;

/// <summary>The representation modes (DESIGN §5b): names, costs, and the members a frame combines.</summary>
public class RicsModeTests
{
    [Theory]
    [InlineData("select", "select")]
    [InlineData(" Mean-All ", "mean-all")]
    [InlineData("soft4", "soft4")]
    [InlineData("SOFT16", "soft16")]
    [InlineData("block2", "block2")]
    [InlineData(" Block3", "block3")]
    [InlineData("rook4", "rook4")]
    [InlineData("ROOK8", "rook8")]
    public void A_mode_parses_to_its_name(string text, string name) => Assert.Equal(name, RicsMode.Parse(text).Name);

    [Theory]
    [InlineData("soft")]
    [InlineData("soft0")]
    [InlineData("soft65")]
    [InlineData("top4")]
    [InlineData("block1")]
    [InlineData("block9")]
    [InlineData("block")]
    [InlineData("rook1")]
    [InlineData("rook9")]
    [InlineData("")]
    public void A_bad_mode_names_the_valid_ones(string text)
        => Assert.Contains("select, soft2, soft4, soft8, block2, rook4, mean-all, all", Assert.Throws<ArgumentException>(() => RicsMode.Parse(text)).Message);

    [Fact]
    public void All_expands_to_every_mode_once()
        => Assert.Equal(RicsMode.All, RicsMode.ParseList("select,all,soft4"));

    [Fact]
    public void Forwards_per_frame_are_one_k_and_n_squared()
    {
        Assert.Equal(1, RicsMode.Select.ForwardsPerFrame(9));
        Assert.Equal(4, RicsMode.Soft(4).ForwardsPerFrame(9));
        Assert.Equal(81, RicsMode.MeanAll.ForwardsPerFrame(9));
        Assert.Equal(4, RicsMode.Block(2).ForwardsPerFrame(9));
        Assert.Equal(9, RicsMode.Block(3).ForwardsPerFrame(9));
        Assert.Equal(1, RicsMode.Block(2).ForwardsPerFrame(1)); // a 1×1 window holds the centre crop alone
        Assert.Equal(4, RicsMode.Rook(4).ForwardsPerFrame(9));
        Assert.Equal(8, RicsMode.Rook(8).ForwardsPerFrame(9));
        Assert.Equal(2, RicsMode.Rook(4).ForwardsPerFrame(3)); // of (−1,0), (0,2), (1,−1), (2,1) a 3×3 window holds the first and third
        Assert.Equal(1.0 / 16, RicsCombination.RookPhaseShare(4), 12); // column marginal: Σ Δw² = 2 · (1/4)² against 2
        Assert.Equal(0.125, RicsCombination.BlockNoiseShare(2), 12); // Σ Δw² = 4 · (1/4)² = 1/4 against the plain model's 2
        Assert.Equal(0.36, RicsCombination.ExpectedMovedMass(9), 12); // n/(h+1)² = 9/25
    }

    private static (RicsSelector Selector, CropPosition Base) Scene(int seed)
    {
        var random = new Random(seed);
        var pixels = new byte[40 * 40 * 3];
        random.NextBytes(pixels);
        var basePosition = new CropPosition(16, 16);
        return (new RicsSelector(new RgbImage(40, 40, pixels), basePosition, 8, 9, 1, RicsSelection.DefaultSeed), basePosition);
    }

    [Fact]
    public void Weights_sum_to_one_and_mean_all_weighs_every_candidate_alike()
    {
        var (selector, _) = Scene(1);
        var members = new List<(CropPosition Position, float Weight)>();
        foreach (var mode in RicsMode.All)
        {
            Assert.True(selector.Members(9, mode, Shift.Zero, members));
            Assert.Equal(1.0, members.Sum(m => (double)m.Weight), 5);
        }
        Assert.True(selector.Members(9, RicsMode.MeanAll, Shift.Zero, members));
        Assert.Equal(81, members.Distinct().Count());
        Assert.All(members, m => Assert.Equal(1f / 81, m.Weight));
    }

    private static double Tent(CropPosition p, int cx, int cy) => RicsCombination.Tent(p.X - cx, 4) * RicsCombination.Tent(p.Y - cy, 4);

    [Fact]
    public void A_one_pixel_shift_keeps_the_soft_members_that_stay_in_the_window_and_moves_their_tent_one_step()
    {
        var members = new List<(CropPosition Position, float Weight)>();
        var shifted = new List<(CropPosition Position, float Weight)>();
        int frames = 0, total = 0;
        for (int seed = 0; seed < 40; seed++)
        {
            var (selector, b) = Scene(seed);
            selector.Members(9, RicsMode.Soft(8), Shift.Zero, members);
            selector.Members(9, RicsMode.Soft(8), new Shift(1, 0), shifted);
            if (members.Count < 2 || shifted.Count < 2) continue; // a fallback frame holds the select choice alone
            frames++;
            total += members.Count;
            // Membership is a function of content: every base member inside the shifted window is a member there too.
            var stay = members.Where(m => m.Position.X - b.X - 1 >= -4).Select(m => m.Position).ToHashSet();
            Assert.Subset(shifted.Select(m => m.Position).ToHashSet(), stay);
            // and the only new members are in the column that enters.
            Assert.All(shifted.Where(m => !stay.Contains(m.Position)), m => Assert.Equal(b.X + 1 + 4, m.Position.X));
            // Weights are the tent of the offset in each frame's own window, t(dx)·t(dy), normalised: the same scene crop
            // weighs t(dx − 1)·t(dy) in the shifted frame.
            double w0 = members.Sum(m => Tent(m.Position, b.X, b.Y)), w1 = shifted.Sum(m => Tent(m.Position, b.X + 1, b.Y));
            foreach (var (p, w) in members) Assert.Equal(Tent(p, b.X, b.Y) / w0, w, 5);
            foreach (var (p, w) in shifted) Assert.Equal(Tent(p, b.X + 1, b.Y) / w1, w, 5);
        }
        Assert.True(frames >= 30, $"{frames} frames with members");
        // About k = 8 members a frame (81 candidates, each in with probability 8/81).
        Assert.InRange((double)total / frames, 6, 10);
    }

    [Theory]
    [InlineData(2, 4, 0, 1)]
    [InlineData(3, 4, -1, 1)]
    [InlineData(4, 4, -1, 2)]
    [InlineData(2, 0, 0, 0)]
    [InlineData(4, 1, -1, 1)]
    public void Block_offsets_start_at_minus_half_the_side_and_stay_in_the_window(int side, int half, int from, int to)
        => Assert.Equal((from, to), RicsCombination.BlockOffsets(side, half));

    [Fact]
    public void Block2_weighs_the_four_adjacent_centre_crops_alike_and_a_one_pixel_shift_keeps_two_of_them()
    {
        var members = new List<(CropPosition Position, float Weight)>();
        var shifted = new List<(CropPosition Position, float Weight)>();
        var diagonal = new List<(CropPosition Position, float Weight)>();
        var (selector, b) = Scene(3);
        Assert.True(selector.Members(9, RicsMode.Block(2), Shift.Zero, members));
        Assert.True(selector.Members(9, RicsMode.Block(2), new Shift(1, 0), shifted));
        Assert.True(selector.Members(9, RicsMode.Block(2), new Shift(-1, -1), diagonal));

        // Offsets 0 and 1 on both axes, weight 1/4 each, whatever the content.
        Assert.Equal([b, new(b.X + 1, b.Y), new(b.X, b.Y + 1), new(b.X + 1, b.Y + 1)], members.Select(m => m.Position).Order(ByRowThenColumn));
        Assert.All(members.Concat(shifted).Concat(diagonal), m => Assert.Equal(0.25f, m.Weight));
        // (+1, 0): the column at x = b.X leaves, x = b.X + 2 enters, the column at b.X + 1 stays.
        Assert.Equal([new(b.X + 1, b.Y), new(b.X + 1, b.Y + 1)], members.Select(m => m.Position).Intersect(shifted.Select(m => m.Position)).Order(ByRowThenColumn));
        Assert.All(shifted.Select(m => m.Position).Except(members.Select(m => m.Position)), p => Assert.Equal(b.X + 2, p.X));
        // (−1, −1): one crop, the base, is shared.
        Assert.Equal([b], members.Select(m => m.Position).Intersect(diagonal.Select(m => m.Position)));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void Rook_offsets_hold_one_candidate_in_each_row_and_each_column_of_the_block(int side)
    {
        var offsets = RicsCombination.RookOffsets(side, 4);
        var (from, to) = RicsCombination.BlockOffsets(side, 4);
        var axis = Enumerable.Range(from, to - from + 1).ToList();
        Assert.Equal(axis, offsets.Select(o => o.Dx));
        Assert.Equal(axis, offsets.Select(o => o.Dy).Order());
        // No two are 8-neighbours from b = 4 on (the knight step), so a 1-px shift of the frame shares no crop.
        if (side >= 4)
            Assert.All(offsets, a => Assert.DoesNotContain(offsets, c => c != a && Math.Abs(a.Dx - c.Dx) <= 1 && Math.Abs(a.Dy - c.Dy) <= 1));
    }

    [Fact]
    public void Rook4_weighs_four_crops_alike_and_a_one_pixel_shift_moves_each_by_one_pixel()
    {
        var members = new List<(CropPosition Position, float Weight)>();
        var shifted = new List<(CropPosition Position, float Weight)>();
        var (selector, b) = Scene(5);
        Assert.True(selector.Members(9, RicsMode.Rook(4), Shift.Zero, members));
        Assert.True(selector.Members(9, RicsMode.Rook(4), new Shift(0, 1), shifted));

        Assert.Equal([new(b.X + 1, b.Y - 1), new(b.X - 1, b.Y), new(b.X + 2, b.Y + 1), new(b.X, b.Y + 2)], members.Select(m => m.Position).Order(ByRowThenColumn));
        Assert.All(members.Concat(shifted), m => Assert.Equal(0.25f, m.Weight));
        // (0, +1): every crop moves down one row, none is shared, and the columns stay b.X − 1 .. b.X + 2.
        Assert.Equal(members.Select(m => new CropPosition(m.Position.X, m.Position.Y + 1)), shifted.Select(m => m.Position));
        Assert.Empty(members.Select(m => m.Position).Intersect(shifted.Select(m => m.Position)));
    }

    private static readonly Comparer<CropPosition> ByRowThenColumn = Comparer<CropPosition>.Create((a, c) => a.Y != c.Y ? a.Y.CompareTo(c.Y) : a.X.CompareTo(c.X));
}
