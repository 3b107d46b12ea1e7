using RobustCrop.Core.Geometry;

namespace RobustCrop.Core.Tests.Geometry;

public sealed class CropPlanTests
{
    private static readonly SceneGeometry Square = new(256, 256, 256, 224);

    [Fact]
    public void Crops_are_deduplicated_by_absolute_position()
    {
        // N1 is a subset of W2: 25 distinct windows, plus 8 rolls of the base crop.
        var plan = CropPlan.Build(Square, ShiftSets.N1.Concat(ShiftSets.Window(2)), ShiftSets.N1);
        Assert.Equal(25 + 8, plan.Crops.Length);
        Assert.Equal(plan.Crops.Length, plan.Crops.Distinct().Count());
        Assert.Equal(new PlannedCrop(Square.Base, 0, 0), plan.Crops[plan.BaseIndex]);
    }

    [Fact]
    public void Realistic_crop_of_a_shift_is_the_window_at_base_plus_delta()
    {
        var plan = CropPlan.Build(Square, ShiftSets.N1, []);
        int i = plan.IndexOfRealistic(new Shift(-1, 1));
        Assert.Equal(new PlannedCrop(new CropPosition(15, 17), 0, 0), plan.Crops[i]);
    }

    [Fact]
    public void A_roll_by_the_crop_size_is_the_base_crop_itself()
    {
        var plan = CropPlan.Build(Square, [], [new Shift(224, 0), new Shift(1, 0)]);
        Assert.Equal(2, plan.Crops.Length);
        Assert.Equal(0, plan.IndexOfCyclic(new Shift(224, 0)));
        Assert.Equal(plan.IndexOfCyclic(new Shift(1, 0)), plan.IndexOfCyclic(new Shift(-223, 0)));
    }

    [Fact]
    public void Shifts_that_leave_the_scene_are_not_taken_and_are_reported()
    {
        var g = new SceneGeometry(256, 300, 256, 255); // one spare column in all
        var plan = CropPlan.Build(g, ShiftSets.N1, []);
        // Base x = round(1/2)=0 (half to even), so only +1 fits horizontally; vertically there is room.
        Assert.Contains(new Shift(1, 0), plan.RealisticShifts);
        Assert.Contains(new Shift(-1, 0), plan.UnsupportedShifts);
        Assert.Equal(-1, plan.IndexOfRealistic(new Shift(-1, 0)));
        Assert.Equal(8, plan.RealisticShifts.Length + plan.UnsupportedShifts.Length);
    }

    [Fact]
    public void Extra_positions_reuse_existing_crops()
    {
        var plan = CropPlan.Build(Square, ShiftSets.N1, [], [Square.Shifted(new Shift(1, 1)), new CropPosition(0, 0)]);
        Assert.Equal(9 + 1, plan.Crops.Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => CropPlan.Build(Square, [], [], [new CropPosition(33, 0)]));
    }
}
