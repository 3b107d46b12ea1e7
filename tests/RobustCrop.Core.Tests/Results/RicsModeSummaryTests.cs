using RobustCrop.Core.Results;

namespace RobustCrop.Core.Tests.Results;

/// <summary>summary.json's rics[] per representation mode (DESIGN §9): the plain model's representation figures,
/// computed by the same rules from the rics rows.</summary>
public class RicsModeSummaryTests
{
    private static RicsRow Row(string mode, double cosine, double forwards, int shifts = 8, string key = "d/1")
        => new("r", 0, key, null, "m", 9, "hash", null, null, null, null, 0, 0, 9, 3, shifts, null, null, cosine, cosine < 0.99,
            Mode: mode, ForwardsPerFrame: forwards);

    [Fact]
    public void Each_mode_is_its_own_entry_with_the_plain_models_representation_figures()
    {
        var acc = new ModelAccumulator([0.95]);
        acc.AddAll(RicsColumns.Of([Row("select", 0.90, 1), Row("soft4", 0.999, 3), Row("select", 0.97, 1, key: "d/2"),
            Row("soft4", 0.96, 5, key: "d/2"), Row("soft4", 0.2, 4, shifts: 0, key: "d/3")]));

        var rics = acc.ToSummary("m", "d", 0.99, null, null, null).Rics;

        Assert.Equal(["select", "soft4"], rics.Select(r => r.Mode));
        var select = rics[0];
        Assert.Equal(new ChangedSummary(0.99, 1.0), select.Changed1px);
        Assert.Equal([new(0.99, 1.0), new(0.95, 0.5)], select.Changed1pxByTau!);
        // p05 interpolates the order statistics, as the plain model's does: 0.90 + 0.05 · (0.97 − 0.90).
        Assert.Equal(new CosineStats(0.935, 0.9035, 0.90), select.Cosine1pxMin! with
        {
            Mean = Math.Round(select.Cosine1pxMin!.Mean!.Value, 12), P05 = Math.Round(select.Cosine1pxMin.P05!.Value, 12),
        });
        Assert.Equal(1.0, select.ForwardsPerFrame);
        Assert.Equal(3.0 / 9, select.BorderRate!.Value, 12);
        var soft = rics[1];
        // A combining mode classifies no single choice, so no share of choices on the window's edge.
        Assert.Null(soft.BorderRate);
        // The image without a shift counts for forwards (it was inferred) but not for the representation figures.
        Assert.Equal(4.0, soft.ForwardsPerFrame);
        Assert.Equal(new ChangedSummary(0.99, 0.5), soft.Changed1px);
        Assert.Equal(0.96, soft.Cosine1pxMin!.Min);
        Assert.Null(soft.NnChanged1px);
    }

    [Fact]
    public void Rows_written_before_modes_are_select_at_one_forward()
    {
        var acc = new ModelAccumulator();
        acc.AddAll(RicsColumns.Of([Row("select", 0.9, 1) with { Mode = null, ForwardsPerFrame = null }]));

        var entry = Assert.Single(acc.ToSummary("m", "d", 0.99, null, null, null).Rics);

        Assert.Equal("select", entry.Mode);
        Assert.Equal(1.0, entry.ForwardsPerFrame);
    }

    [Fact]
    public void A_summary_without_modes_reads_back_as_select()
    {
        var json = RunSummaryIo.Serialize(new RunSummary("r", "d", 1, 0, [new ModelSummary("m", 1, 1, null,
            new RealisticSummary(null, null, new FooledWindowSummary(1, null), new CosineStats(null, null, null), new ChangedSummary(0.99, null)),
            new CyclicSummary(null, null, new ChangedSummary(0.99, null)),
            [new RicsSummary(9, "hash", null, null, 0.8, null, new ChangedSummary(0.99, 0.5))], null)]));
        Assert.Contains("\"mode\": \"select\"", json, StringComparison.Ordinal);

        var old = json.Replace("\"mode\": \"select\",", "", StringComparison.Ordinal);
        Assert.DoesNotContain("\"mode\"", old, StringComparison.Ordinal);
        Assert.Equal("select", RunSummaryIo.Deserialize(old).Models[0].Rics[0].Mode);
    }
}
