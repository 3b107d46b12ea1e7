using RobustCrop.Core.Data;
using RobustCrop.Core.Geometry;
using RobustCrop.Core.Measurement;
using RobustCrop.Core.Metrics;
using RobustCrop.Core.Models;
using RobustCrop.Core.Planning;
using RobustCrop.Core.Imaging;
using RobustCrop.Core.Rics;
using RobustCrop.Core.Settings;

namespace RobustCrop.Core.Tests.Measurement;

/// <summary>The measurement on plain inputs: a 10×10 scene, 8-px crops, the base at (1, 1) and every 1-px shift in the
/// scene, with hand-set outputs whose cosines and predictions are known.</summary>
public sealed class RowBuilderTests
{
    private static readonly RunSettings Settings = new(new RunId("r1")) { Tau = 0.9, WindowK = 0 };

    /// <summary>Base (1, 0); shift i (of N1's 8) at angle 10°·i, so cos = cos(10°·i); shifts 6 and 7 predict class 1.</summary>
    private static MeasuredImage Measured()
    {
        var plan = CropPlan.Build(new SceneGeometry(10, 10, 10, 8), ShiftSets.N1, []);
        var o = new CropOutputs(plan.Crops.Length, 2, hasClasses: true);
        for (int c = 0; c < plan.Crops.Length; c++) { o.Vector(c)[0] = 1; }
        for (int i = 0; i < ShiftSets.N1.Length; i++)
        {
            int c = plan.IndexOfRealistic(ShiftSets.N1[i]);
            double a = 10.0 * i * Math.PI / 180;
            o.Vector(c)[0] = (float)Math.Cos(a);
            o.Vector(c)[1] = (float)Math.Sin(a);
            o.Predictions![c] = i >= 6 ? 1 : 0;
        }
        return new MeasuredImage("photos/a.jpg", null, 20, 20, 10, 10, null, "m", new OutputInterpreter(OutputKind.Logits, 2, null),
            plan, o, RicsPlan.Empty, NativeIndex: -1);
    }

    [Fact]
    public void The_images_row_holds_the_hand_computed_shift_metrics()
    {
        var row = RowBuilder.ImageRow(Settings, new ShardId(3), Measured());

        Assert.Equal(("r1", 3, "photos/a.jpg", "m"), (row.RunId, row.Shard, row.ImageKey, row.Model));
        Assert.Equal(8, row.Shifts1px);
        Assert.Equal(6.0 / 8, row.Consistency1px!.Value, 12);
        Assert.True(row.Fooled1px);
        Assert.Equal(Math.Cos(70 * Math.PI / 180), row.Cosine1pxMin, 6);
        Assert.True(row.Changed1px); // cos 70° < τ = 0.9
        Assert.Null(row.Correct);    // no label
        Assert.Null(row.CorrectNative);
        // cosine_1px_mean: the mean of cos(10°·i) over the eight shifts.
        Assert.Equal(Enumerable.Range(0, 8).Average(i => Math.Cos(10.0 * i * Math.PI / 180)), row.Cosine1pxMean!.Value, 6);
    }

    [Fact]
    public void Without_room_for_a_shift_cosine_1px_mean_is_null_not_one()
    {
        var plan = CropPlan.Build(new SceneGeometry(8, 8, 8, 8), ShiftSets.N1, []);
        var o = new CropOutputs(plan.Crops.Length, 2, hasClasses: false);
        o.Vector(0)[0] = 1;
        var w = new MeasuredImage("photos/b.jpg", null, 8, 8, 8, 8, null, "m", new OutputInterpreter(OutputKind.Embedding, 2, null),
            plan, o, RicsPlan.Empty, NativeIndex: -1);

        var row = RowBuilder.ImageRow(Settings, new ShardId(0), w);

        Assert.Equal(0, row.Shifts1px);
        Assert.Equal(1.0, row.Cosine1pxMin);
        Assert.Null(row.Cosine1pxMean);
    }

    [Fact]
    public void Each_crop_row_holds_its_shift_and_cosine_to_the_base()
    {
        var rows = RowBuilder.CropRows(Settings, new ShardId(3), Measured());

        Assert.Equal(9, rows.Count);
        var right = rows.Single(r => (r.Dx, r.Dy) == (ShiftSets.N1[3].Dx, ShiftSets.N1[3].Dy));
        Assert.Equal(Math.Cos(30 * Math.PI / 180), right.CosineToBase, 6);
        Assert.Equal(1f, rows[0].CosineToBase, 6);
        Assert.All(rows, r => Assert.Null(r.Embedding));
    }

    [Fact]
    public void The_cyclic_rics_row_compares_each_realistic_shifts_canonical_crop_with_the_canonical_base()
    {
        // The scene of ImagePlannerTests' moved seam: shifted right, the crop's canonical image is a new one. Only its output
        // is turned (60°, another class); every other crop answers as the base.
        var scene = new RgbImage(6, 6);
        byte[] red = [0, 0, 200, 0, 0, 90];
        for (int y = 0; y < 6; y++)
            for (int x = 0; x < 6; x++) { scene.Row(y)[3 * x] = red[x]; scene.Row(y)[3 * x + 1] = (byte)(50 * y); }
        var g = new SceneGeometry(6, 6, 6, 4);
        var settings = Settings with { Tau = 0.99, Rics = RicsSelection.Of([3], [RicsScore.Hash], cyclic: true) };
        var plan = ImagePlanner.Measurement(settings).Plan(scene, g);
        var crops = plan.Crops!;
        var o = new CropOutputs(crops.Crops.Length, 2, hasClasses: true);
        for (int c = 0; c < crops.Crops.Length; c++) o.Vector(c)[0] = 1;
        int moved = crops.IndexOf(new PlannedCrop(new CropPosition(2, 1), 2, 0));
        Assert.True(moved > 0);
        (o.Vector(moved)[0], o.Vector(moved)[1], o.Predictions![moved]) = (0.5f, (float)Math.Sqrt(0.75), 1);
        var w = new MeasuredImage("photos/bars.png", null, 6, 6, 6, 6, null, "m", new OutputInterpreter(OutputKind.Logits, 2, null),
            crops, o, plan.Rics, NativeIndex: -1);

        var rows = RowBuilder.RicsRows(settings, new ShardId(0), w);

        var cyclic = rows.Single(r => r.Score == "cyclic");
        Assert.Equal(1.0, cyclic.Consistency1px); // its cyclic guarantee holds
        Assert.Equal(8, cyclic.RealisticShifts1px);
        Assert.Equal(7.0 / 8, cyclic.RealisticConsistency1px!.Value, 12);
        Assert.True(cyclic.RealisticFooled1px);
        Assert.Equal(0.5, cyclic.RealisticCosine1pxMin!.Value, 6);
        Assert.True(cyclic.RealisticChanged1px);
        var hash = rows.Single(r => r.Score == "hash");
        Assert.Equal((null, null, null, null, null), (hash.RealisticShifts1px, hash.RealisticConsistency1px, hash.RealisticFooled1px,
            hash.RealisticCosine1pxMin, hash.RealisticChanged1px));
    }
}
