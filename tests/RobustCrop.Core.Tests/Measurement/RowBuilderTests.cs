using RobustCrop.Core.Data;
using RobustCrop.Core.Geometry;
using RobustCrop.Core.Measurement;
using RobustCrop.Core.Metrics;
using RobustCrop.Core.Models;
using RobustCrop.Core.Planning;
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
}
