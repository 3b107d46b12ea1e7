using RobustCrop.Coordinator.Console;
using RobustCrop.Core.Results;

namespace RobustCrop.Coordinator.Tests.Console;

/// <summary>The "beyond integer shifts" lines (console and report): consistency against motion amount per model and RICS setting.</summary>
public sealed class MotionTableTests
{
    private static readonly CosineStats Cos = new(0.99, 0.98, 0.97);

    private static RicsSummary Rics(string score, string mode, double consistency)
        => new(9, score, consistency, 0.1, 0.8, 0.8, new ChangedSummary(0.99, 0.1), 10, 0.2, SelectionKeptAxis1px: 0.9) { Mode = mode };

    private static MotionSummary Motion(string kind, double amount, double consistency, params MotionRicsSummary[] rics)
        => new(kind, amount, $"{kind}:{amount.ToString(System.Globalization.CultureInfo.InvariantCulture)}", 10, consistency, 0.1, Cos,
            new ChangedSummary(0.99, 0.2), null, rics);

    private static MotionRicsSummary MotionRics(string score, double consistency, double kept)
        => new(9, score, "select", consistency, 0.1, Cos, new ChangedSummary(0.99, 0.1), kept, 0.05);

    [Fact]
    public void Motions_are_columns_by_kind_then_amount_and_each_rics_setting_reads_its_own_mode()
    {
        // Given in another order than the table's: rotate first, amounts unsorted.
        var motion = new[]
        {
            Motion("rotate", 1, 0.70, MotionRics("hash", 0.60, 0.10), MotionRics("blob", 0.80, 0.85)),
            Motion("subpixel", 1, 0.90, MotionRics("hash", 0.95, 0.80), MotionRics("blob", 0.97, 0.90)),
            Motion("subpixel", 0.25, 0.96, MotionRics("hash", 0.62, 0.12), MotionRics("blob", 0.99, 0.97)),
            Motion("rotate", 0.5, 0.80, MotionRics("hash", 0.61, 0.11), MotionRics("blob", 0.90, 0.93)),
            Motion("subpixel", 0.5, 0.93, MotionRics("hash", 0.63, 0.13), MotionRics("blob", 0.98, 0.95)),
        };
        var model = new ModelSummary("resnet18", 10, 100, 0.8,
            new RealisticSummary(0.91, 0.2, new FooledWindowSummary(2, 0.3), Cos, new ChangedSummary(0.99, 0.1)),
            new CyclicSummary(0.9, 0.2, new ChangedSummary(0.99, 0.3)),
            [Rics("hash", "select", 0.94), Rics("hash", "soft4", 0.97), Rics("blob", "select", 0.96)], null) { Motion = motion };
        var run = new RunSummary("r1", "fashion-mnist", 10, 0, [model], Tau: 0.99, WindowK: 2);

        Assert.Equal(["subpixel:0.25", "subpixel:0.5", "subpixel:1", "rotate:0.5", "rotate:1"], MotionTable.Specs(run).Select(x => x.Name));
        var lines = MotionTable.Lines(run);
        Assert.Equal(["model (centre crop)", "hash n=9", "hash n=9 soft4", "blob n=9"], lines.Select(l => l.Setting));
        Assert.Equal(["91.0%", "96.0%", "93.0%", "90.0%", "80.0%", "70.0%"], lines[0].Cells);
        Assert.Equal(["94.0% (kept 90.0%)", "62.0% (kept 12.0%)", "63.0% (kept 13.0%)", "95.0% (kept 80.0%)", "61.0% (kept 11.0%)", "60.0% (kept 10.0%)"],
            lines[1].Cells);
        // soft4 was measured at integer shifts only: its motion cells are empty, not select's figures.
        Assert.Equal(["97.0% (kept 90.0%)", "", "", "", "", ""], lines[2].Cells);
        Assert.Equal(["96.0% (kept 90.0%)", "99.0% (kept 97.0%)", "98.0% (kept 95.0%)", "97.0% (kept 90.0%)", "90.0% (kept 93.0%)", "80.0% (kept 85.0%)"],
            lines[3].Cells);
    }

    [Fact]
    public void A_run_that_kept_embeddings_shows_nn_changed_beside_each_consistency()
    {
        // An embedding model without classes (natural photos): the cell is the changed rate, then nn_changed.
        var plainRealistic = new RealisticSummary(null, null, new FooledWindowSummary(2, null), Cos, new ChangedSummary(0.99, 0.25), NnChanged1px: 0.125);
        var rics = new RicsSummary(9, "hessian", null, null, 0.8, null, new ChangedSummary(0.99, 0.5), 10, 0.2, SelectionKeptAxis1px: 0.75)
            { Mode = "select", NnChanged1px = 0.08 };
        var sub = new MotionSummary("subpixel", 0.5, "subpixel:0.5", 10, null, null, Cos, new ChangedSummary(0.99, 0.375), 0.25,
            [new MotionRicsSummary(9, "hessian", "select", null, null, Cos, new ChangedSummary(0.99, 0.125), 0.875, 0.5) { NnChanged1px = 0.15 }]);
        var model = new ModelSummary("resnet18", 10, 100, null, plainRealistic, new CyclicSummary(null, null, new ChangedSummary(0.99, 0.3)), [rics], null)
            { Motion = [sub] };

        var lines = MotionTable.Lines(new RunSummary("r1", "natural-photos", 10, 0, [model], Tau: 0.99, WindowK: 2));

        Assert.Equal(["changed 25.0%, nn 12.5%", "changed 37.5%, nn 25.0%"], lines[0].Cells);
        Assert.Equal(["changed 50.0%, nn 8.0% (kept 75.0%)", "changed 12.5%, nn 15.0% (kept 87.5%)"], lines[1].Cells);
    }
}
