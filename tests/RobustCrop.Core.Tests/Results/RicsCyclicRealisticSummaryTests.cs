using RobustCrop.Core.Metrics;
using RobustCrop.Core.Results;

namespace RobustCrop.Core.Tests.Results;

/// <summary>rics_cyclic.realistic: the cyclic RICS rows' realistic_* columns summarised by the plain model's rules.</summary>
public sealed class RicsCyclicRealisticSummaryTests
{
    private static RicsColumns Cyclic(int? shifts, double? consistency = null, bool? fooled = null, double? cosine = null, bool? changed = null)
        => RicsColumns.Of([new RicsRow("r", 0, "d/1", null, "m", 24, "cyclic", 0, null, null, null, 0, 0, 9, 0, 8, 1.0, false, 1.0, false,
            RealisticShifts1px: shifts, RealisticConsistency1px: consistency, RealisticFooled1px: fooled,
            RealisticCosine1pxMin: cosine, RealisticChanged1px: changed)]);

    [Fact]
    public void The_measured_images_give_the_mean_consistency_fooled_rate_cosine_spread_and_changed_rate()
    {
        var a = new ModelAccumulator();
        var b = new ModelAccumulator();
        a.AddAll(Cyclic(8, 1.0, false, 1.0, false));
        a.AddAll(Cyclic(8, 0.75, true, 0.9, true));
        b.AddAll(Cyclic(6, 0.5, true, 0.6, true));
        b.AddAll(Cyclic(0)); // no room for a realistic shift: not measured
        a.Merge(b);

        var c = a.ToSummary("m", "d", 0.95, null, null, null).RicsCyclic!;

        Assert.Equal(4, c.Images);
        Assert.Equal(1.0, c.Consistency1px); // the cyclic guarantee, unchanged
        var r = c.Realistic!;
        Assert.Equal(0.75, r.Consistency1px!.Value, 12);
        Assert.Equal(2.0 / 3, r.Fooled1px!.Value, 12);
        Assert.Equal(2.5 / 3, r.Cosine1pxMin.Mean!.Value, 12);
        Assert.Equal(Stats.Quantile([1.0, 0.9, 0.6], 0.05), r.Cosine1pxMin.P05);
        Assert.Equal(0.6, r.Cosine1pxMin.Min);
        Assert.Equal(new ChangedSummary(0.95, 2.0 / 3), r.Changed1px);
    }

    [Fact]
    public void Rows_from_files_without_the_columns_give_null_figures_not_made_up_ones()
    {
        var acc = new ModelAccumulator();
        acc.AddAll(Cyclic(null));

        var r = acc.ToSummary("m", "d", 0.99, null, null, null).RicsCyclic!.Realistic!;

        Assert.Equal((null, null), (r.Consistency1px, r.Fooled1px));
        Assert.Equal(new CosineStats(null, null, null), r.Cosine1pxMin);
        Assert.Equal(new ChangedSummary(0.99, null), r.Changed1px);
    }
}
