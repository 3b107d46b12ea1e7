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
        Assert.Equal(["hash/3", "dog/3", "blob/3", "hash/5", "dog/5", "blob/5", "cyclic/24"], plan.Rics.Settings.Select(s => $"{s.Score}/{s.Window}"));
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
    public void BaseCrop_plans_one_crop()
    {
        var scene = Noise(30, 30, 4);
        var g = new SceneGeometry(30, 30, 30, 24);
        Assert.Equal(new PlannedCrop(g.Base, 0, 0), Assert.Single(ImagePlanner.BaseCrop.Plan(scene, g).Crops!.Crops));
    }
}
