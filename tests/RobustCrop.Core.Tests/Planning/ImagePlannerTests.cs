using RobustCrop.Core.Geometry;
using RobustCrop.Core.Imaging;
using RobustCrop.Core.Planning;
using RobustCrop.Core.Rics;
using RobustCrop.Core.Settings;

namespace RobustCrop.Core.Tests.Planning;

public sealed class ImagePlannerTests
{
    private static RgbImage Noise(int w, int h, int seed)
    {
        var img = new RgbImage(w, h);
        new Random(seed).NextBytes(img.Pixels);
        return img;
    }

    private static readonly RunSettings Run = new(new RunId("p"))
    {
        WindowK = 2,
        Rics = RicsSelection.Of([3, 5], RicsScores.Realistic, cyclic: true),
    };

    [Fact]
    public void Measurement_plans_the_base_the_shifts_and_every_rics_choice_once()
    {
        var scene = Noise(40, 36, 1);
        var g = new SceneGeometry(scene.Width, scene.Height, 32, 24);
        var plan = ImagePlanner.Measurement(Run).Plan(scene, g);

        Assert.Null(plan.Error);
        var crops = plan.Crops!;
        var plain = CropPlan.Build(g, Run.RealisticShifts, ShiftSets.N1);
        // The realistic and cyclic crops come first, in the same order as without RICS; RICS choices only add crops.
        Assert.Equal(plain.Crops, crops.Crops.Take(plain.Crops.Length));
        Assert.All(plan.Rics.Crops, c => Assert.True(crops.IndexOf(c) >= 0));
        // Windows outer, scores inner, cyclic last.
        Assert.Equal(["hash/3", "dog/3", "blob/3", "hessian/3", "hash/5", "dog/5", "blob/5", "hessian/5", "cyclic/24"], plan.Rics.Settings.Select(s => $"{s.Score}/{s.Window}"));
    }

    [Fact]
    public void Measurement_fails_an_image_with_no_room_for_a_shift()
    {
        var scene = Noise(24, 24, 2);
        var plan = ImagePlanner.Measurement(new RunSettings(new RunId("p"))).Plan(scene, new SceneGeometry(24, 24, 24, 24));
        Assert.Null(plan.Crops);
        Assert.Equal("scene 24x24 leaves no room for any 1-px shift of a 24-px crop", plan.Error);
    }

    [Fact]
    public void Deployment_classifies_the_same_crop_evaluate_selects_for_the_unshifted_frame()
    {
        var scene = Noise(48, 40, 3);
        var g = new SceneGeometry(scene.Width, scene.Height, 40, 24);
        var measured = ImagePlanner.Measurement(Run).Plan(scene, g).Rics.Settings;
        foreach (var s in measured)
        {
            var deployed = ImagePlanner.Deployment(s.Setting, Run.Rics.Seed).Plan(scene, g).Crops!;
            Assert.Equal(s.Frames[0], Assert.Single(deployed.Crops));
        }
        Assert.Equal(new PlannedCrop(g.Base, 0, 0), Assert.Single(ImagePlanner.Deployment(null, 0).Plan(scene, g).Crops!.Crops));
    }

    [Fact]
    public void Deployment_of_block2_plans_its_four_adjacent_crops_and_nothing_else()
    {
        var scene = Noise(48, 40, 6);
        var g = new SceneGeometry(scene.Width, scene.Height, 40, 24);
        var plan = ImagePlanner.Deployment(new RicsSetting(RicsScore.Hash, 5, RicsMode.Block(2)), Run.Rics.Seed).Plan(scene, g);
        var b = g.Base;
        // Four forwards, as predict's cost line says: the row's position is the frame's own crop, not an extra hash choice.
        Assert.Equal([b, new(b.X + 1, b.Y), new(b.X, b.Y + 1), new(b.X + 1, b.Y + 1)], plan.Crops!.Crops.Select(c => c.Position));
        Assert.Equal(new PlannedCrop(b, 0, 0), plan.Crops.Crops[0]);
        Assert.All(Assert.Single(plan.Rics.Settings).Members![0], m => Assert.Equal(0.25f, m.Weight));
    }

    [Theory]
    [InlineData("soft1")]
    [InlineData("soft2")]
    [InlineData("soft4")]
    [InlineData("soft8")]
    [InlineData("block2")]
    [InlineData("block3")]
    [InlineData("rook4")]
    [InlineData("mean-all")]
    public void Deployment_of_a_combining_mode_plans_exactly_its_members(string name)
    {
        // One rule for every combining mode: the crops inferred are the members of the unshifted frame, no extra hash
        // choice, so predict's cost is the member count (soft k: k on average, not k + 1).
        var mode = RicsMode.Parse(name);
        var g = new SceneGeometry(64, 56, 56, 24);
        var counts = new List<int>();
        for (int seed = 10; seed < 30; seed++)
        {
            var scene = Noise(64, 56, seed);
            var plan = ImagePlanner.Deployment(new RicsSetting(RicsScore.Hash, 9, mode), Run.Rics.Seed).Plan(scene, g);
            var members = new List<(CropPosition Position, float Weight)>();
            Assert.True(new RicsSelector(scene, g.Base, g.CropSize, 9, 0, Run.Rics.Seed).Members(9, mode, Shift.Zero, members));

            Assert.Equal(members.Select(m => m.Position).OrderBy(p => (p.Y, p.X)), plan.Crops!.Crops.Select(c => c.Position).OrderBy(p => (p.Y, p.X)));
            var setting = Assert.Single(plan.Rics.Settings);
            Assert.Equal(plan.Crops.Crops[0], setting.Frames[0]);
            // The row names the heaviest member; for equal weights the frame's own crop.
            Assert.Equal(members.Max(m => m.Weight), members.Single(m => m.Position == plan.Crops.Crops[0].Position).Weight);
            counts.Add(plan.Crops.Crops.Length);
        }
        switch (mode.Kind)
        {
            case RicsModeKind.Block: Assert.All(counts, c => Assert.Equal(mode.K * mode.K, c)); break;
            case RicsModeKind.Rook: Assert.All(counts, c => Assert.Equal(mode.K, c)); break;
            case RicsModeKind.MeanAll: Assert.All(counts, c => Assert.Equal(81, c)); break;
            default:
                // Poisson-like around k (at least 1: a frame without members falls back to the select choice).
                Assert.InRange(counts.Average(), 0.5 * mode.K, 1.6 * mode.K + 0.5);
                Assert.All(counts, c => Assert.True(c >= 1));
                break;
        }
    }

    [Theory]
    [InlineData("rook4")]
    [InlineData("block2")]
    [InlineData("soft4")]
    public void Measurement_of_a_mode_without_select_plans_the_shifts_and_the_members_and_nothing_else(string name)
    {
        // Every frame names one of its own members (as predict does), so a run that asks for a mode alone infers no hash
        // choice that feeds no row.
        var mode = RicsMode.Parse(name);
        var run = new RunSettings(new RunId("p")) { Rics = RicsSelection.Of([9], [RicsScore.Hash], cyclic: false, modes: [mode]) };
        for (int seed = 40; seed < 50; seed++)
        {
            var scene = Noise(72, 64, seed);
            var g = new SceneGeometry(scene.Width, scene.Height, 64, 24);
            var plan = ImagePlanner.Measurement(run).Plan(scene, g);
            var setting = Assert.Single(plan.Rics.Settings);
            var members = setting.Members!.Select(list => list.Select(m => m.Crop).ToHashSet()).ToList();
            var plain = CropPlan.Build(g, run.RealisticShifts, ShiftSets.N1).Crops;
            Assert.Equal(plain.Union(members.SelectMany(m => m)).ToHashSet(), plan.Crops!.Crops.ToHashSet());
            for (int f = 0; f < setting.Frames.Count; f++)
                Assert.Contains(setting.Frames[f]!.Value, members[f]);
        }
    }

    [Theory]
    [InlineData("block2")]
    [InlineData("mean-all")]
    public void Deployment_of_an_equal_weight_mode_names_the_frames_own_crop(string name)
    {
        var scene = Noise(64, 56, 8);
        var g = new SceneGeometry(64, 56, 56, 24);
        var setting = Assert.Single(ImagePlanner.Deployment(new RicsSetting(RicsScore.Hash, 9, RicsMode.Parse(name)), Run.Rics.Seed).Plan(scene, g).Rics.Settings);
        Assert.Equal((new PlannedCrop(g.Base, 0, 0), 0, 0, false), (setting.Frames[0]!.Value, setting.OffsetX, setting.OffsetY, setting.OnBorder[0]));
    }

    [Fact]
    public void BaseCrop_plans_one_crop()
    {
        var scene = Noise(30, 30, 4);
        var g = new SceneGeometry(30, 30, 30, 24);
        Assert.Equal(new PlannedCrop(g.Base, 0, 0), Assert.Single(ImagePlanner.BaseCrop.Plan(scene, g).Crops!.Crops));
    }

    [Fact]
    public void Cyclic_rics_plans_each_realistically_shifted_crop_canonicalised_on_its_own()
    {
        var scene = Noise(41, 36, 5);
        var g = new SceneGeometry(scene.Width, scene.Height, 32, 24);
        var plan = ImagePlanner.Measurement(Run).Plan(scene, g);

        var cyclic = plan.Rics.Settings.Single(s => s.Setting.IsCyclic);
        var frames = cyclic.RealisticFrames!;
        Assert.Equal(cyclic.Shifts.Count, frames.Count);
        Assert.Equal(cyclic.Frames[0], frames[0]);
        for (int i = 1; i < frames.Count; i++)
        {
            var p = g.Shifted(cyclic.Shifts[i]);
            var (rx, ry) = CyclicCanonicalizer.Canonicalize(scene, p, g.CropSize, 0, 0);
            Assert.Equal(new PlannedCrop(p, rx, ry), frames[i]);
            Assert.True(plan.Crops!.IndexOf(frames[i]!.Value) >= 0);
        }
        Assert.All(plan.Rics.Settings.Where(s => !s.Setting.IsCyclic), s => Assert.Null(s.RealisticFrames));
    }

    [Fact]
    public void A_realistic_shift_that_leaves_the_scene_has_no_canonical_crop()
    {
        // 25 columns for a 24-px crop: the base sits at x = 0, so every shift to the left leaves the scene.
        var scene = Noise(25, 26, 6);
        var g = new SceneGeometry(scene.Width, scene.Height, 25, 24);
        var cyclic = ImagePlanner.BuildRics(scene, g, Run).Settings.Single(s => s.Setting.IsCyclic);

        for (int i = 1; i < cyclic.Shifts.Count; i++)
            Assert.Equal(g.Supports(cyclic.Shifts[i]), cyclic.RealisticFrames![i] is not null);
        Assert.Contains(cyclic.RealisticFrames!, f => f is null);
    }

    [Fact]
    public void On_a_scene_periodic_with_the_crop_every_realistic_shift_reuses_the_canonical_base()
    {
        // A realistic shift of a scene tiled with a C×C pattern is a cyclic shift of the crop, so its canonical image is the
        // canonical base itself: the plan points at the base's crop and infers nothing more for it.
        var tile = Noise(24, 24, 7);
        var scene = new RgbImage(30, 30);
        for (int y = 0; y < 30; y++) tile.ReadOnlyRow(y % 24)[..(3 * 6)].CopyTo(scene.Row(y)[(3 * 24)..]);
        for (int y = 0; y < 30; y++) tile.ReadOnlyRow(y % 24).CopyTo(scene.Row(y));
        var g = new SceneGeometry(scene.Width, scene.Height, 30, 24);
        var settings = new RunSettings(new RunId("p")) { WindowK = 1, Rics = RicsSelection.Of([], [RicsScore.Hash], cyclic: true) };
        var plan = ImagePlanner.Measurement(settings).Plan(scene, g);

        var cyclic = plan.Rics.Settings.Single();
        Assert.All(cyclic.RealisticFrames!, f => Assert.Equal(cyclic.Frames[0], f));
        int without = CropPlan.Build(g, settings.RealisticShifts, ShiftSets.N1, extraCrops: cyclic.Frames.OfType<PlannedCrop>()).Crops.Length;
        Assert.Equal(without, plan.Crops!.Crops.Length);
    }

    [Fact]
    public void A_shift_that_brings_a_new_column_in_can_move_the_canonical_seam()
    {
        // 4-px crops of a 6×6 scene, base at (1, 1). Red by column 0, 0, 200, 0, 0, 90 and green 50·y. Rows: the wrap seam
        // (green 200 → 50) stands out, so no crop is rolled vertically. Columns of the base crop (red 0 200 0 0): seams 0|0
        // (the wrap) and 0|0 form the widest flat band, cut at the wrap: the identity. Shifted right (red 200 0 0 90): the
        // only flat seam is between its columns 1 and 2, so that crop is rolled by −2 (= 2): red 0 90 200 0, an image the
        // base's canonical image (red 0 200 0 0) is not.
        var scene = new RgbImage(6, 6);
        byte[] red = [0, 0, 200, 0, 0, 90];
        for (int y = 0; y < 6; y++)
            for (int x = 0; x < 6; x++) { scene.Row(y)[3 * x] = red[x]; scene.Row(y)[3 * x + 1] = (byte)(50 * y); }
        var g = new SceneGeometry(6, 6, 6, 4);
        var settings = new RunSettings(new RunId("p")) { WindowK = 1, Rics = RicsSelection.Of([], [RicsScore.Hash], cyclic: true) };
        var cyclic = ImagePlanner.BuildRics(scene, g, settings).Settings.Single();

        Assert.Equal(new PlannedCrop(new CropPosition(1, 1), 0, 0), cyclic.Frames[0]);
        int right = cyclic.Shifts.ToList().IndexOf(new Shift(1, 0));
        Assert.Equal(new PlannedCrop(new CropPosition(2, 1), 2, 0), cyclic.RealisticFrames![right]);
        Assert.False(CyclicCanonicalizer.SamePixels(scene, cyclic.Frames[0]!.Value, cyclic.RealisticFrames[right]!.Value, 4));
    }
}
