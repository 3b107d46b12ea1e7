using RobustCrop.Core.Rics;
using RobustCrop.Core.Settings;

namespace RobustCrop.Core.Tests.Settings;

public sealed class RunSettingsTests
{
    [Fact]
    public void Defaults_are_the_documented_ones()
    {
        var s = new RunSettings(new RunId("r"));
        Assert.Equal((0.99, 2, 32, 256, false), (s.Tau, s.WindowK, s.Batch, s.ShardSize, s.KeepEmbeddings));
        Assert.False(s.Rics.Any);
        Assert.Equal(0x52494353_00000001UL, s.Rics.Seed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("..")]
    public void A_run_id_that_is_not_one_path_segment_is_refused(string id)
        => Assert.Throws<ArgumentException>(() => new RunId(id));

    [Fact]
    public void Settings_compare_by_value()
    {
        RunSettings Make() => new(new RunId("r")) { ModelIds = ["a", "b"], Rics = RicsSelection.Of([9], [RicsScore.Hash], cyclic: true) };
        Assert.Equal(Make(), Make());
        Assert.NotEqual(Make(), Make() with { Rics = RicsSelection.Of([9], [RicsScore.Hash], cyclic: false) });
    }

    [Fact]
    public void A_selection_holds_all_three_kinds_and_each_setting_its_bound()
    {
        var rics = RicsSelection.Of([9, 9, 31], [RicsScore.Dog, RicsScore.Hash, RicsScore.Dog], cyclic: true);
        Assert.Equal([9, 31], rics.Windows.AsEnumerable());
        Assert.Equal([RicsScore.Dog, RicsScore.Hash, RicsScore.Cyclic], rics.Scores.AsEnumerable());
        Assert.True(rics.Cyclic);
        Assert.Equal([new(RicsScore.Dog, 9), new(RicsScore.Hash, 9), new(RicsScore.Dog, 31), new RicsSetting(RicsScore.Hash, 31)], rics.RealisticSettings);
        Assert.Equal(0.8, new RicsSetting(RicsScore.Hash, 9).AxisBound, 12);
        Assert.Equal(1.0, new RicsSetting(RicsScore.Cyclic, 224).AxisBound);
        Assert.Equal("cyclic", new RicsSetting(RicsScore.Cyclic, 224).Name);
    }
}
