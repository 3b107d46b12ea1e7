using RobustCrop.Coordinator.Console;
using RobustCrop.Core.Results;
using System.Text.RegularExpressions;
using Spectre.Console;

namespace RobustCrop.Coordinator.Tests.Console;

/// <summary>The rules that keep the end-of-run tables from being misread (issue 24 item 8).</summary>
public sealed class SummaryNotesTests
{
    private static RicsSummary Rics(string score, int n, double? changed = 0.1)
        => new(n, score, 0.9, 0.1, (n - 1.0) / (n + 1.0), 0.8, new ChangedSummary(0.99, changed), 10, 0.2, 0.25);

    private static ModelSummary Model(string name, double? fooled1px, double? fooledW, int k = 2, double? changed = 0.1,
        IReadOnlyList<RicsSummary>? rics = null, RicsCyclicSummary? cyclic = null)
        => new(name, 10, 100, 0.8,
            new RealisticSummary(0.95, fooled1px, new FooledWindowSummary(k, fooledW), new CosineStats(0.99, 0.98, 0.97),
                new ChangedSummary(0.99, changed)),
            new CyclicSummary(0.9, 0.2, new ChangedSummary(0.99, 0.3)), rics ?? [], cyclic);

    private static RunSummary Run(params ModelSummary[] models) => new("r1", "fashion-mnist", 10, 0, models, Tau: 0.99, WindowK: 2);

    [Fact]
    public void The_bound_is_printed_for_the_hash_score_only()
    {
        Assert.Equal("50.0% / 25.0%", SummaryNotes.BoundCell(Rics("hash", 3)));
        Assert.Equal("", SummaryNotes.BoundCell(Rics("dog", 3)));
        Assert.Equal("", SummaryNotes.BoundCell(Rics("sharpness", 3)));
    }

    [Fact]
    public void The_cyclic_row_says_no_window_and_names_the_identity_share_in_its_setting()
    {
        Assert.Equal("no window", SummaryNotes.CyclicEdgeCell);
        Assert.Equal("cyclic (canonical roll; identity on 40.0%)", SummaryNotes.CyclicSetting(new RicsCyclicSummary(1, 0, 0.8, 10, 0.4)));
        Assert.Equal("cyclic (canonical roll)", SummaryNotes.CyclicSetting(new RicsCyclicSummary(1, 0, 0.8, 10)));
    }

    [Fact]
    public void Fooled_window_equal_to_fooled_1px_gets_a_footnote_naming_who()
    {
        var all = SummaryNotes.Summary(Run(Model("a", 0.1, 0.1), Model("b", 0.2, 0.2)));
        Assert.Single(all);
        Assert.StartsWith("fooled_W2 equals fooled_1px for every model:", all[0]);

        var one = SummaryNotes.Summary(Run(Model("a", 0.1, 0.1), Model("b", 0.2, 0.3)));
        Assert.StartsWith("fooled_W2 equals fooled_1px for a:", Assert.Single(one));

        // A model without a class answer (photos) has no fooled rates: the others are still "every model with a class answer".
        var classed = SummaryNotes.Summary(Run(Model("a", 0.1, 0.1), Model("photos", null, null)));
        Assert.StartsWith("fooled_W2 equals fooled_1px for every model with a class answer:", Assert.Single(classed));

        Assert.Empty(SummaryNotes.Summary(Run(Model("a", 0.1, 0.15))));
        // W1 is the one-pixel neighbourhood itself: equal by definition, nothing to say.
        Assert.Empty(SummaryNotes.Summary(Run(Model("a", 0.1, 0.1, k: 1))));
        Assert.Empty(SummaryNotes.Summary(Run(Model("a", null, null))));
    }

    [Fact]
    public void Changed_1px_rising_under_rics_is_explained_only_when_it_rises()
    {
        Assert.Empty(SummaryNotes.Rics(Run(Model("a", 0.1, 0.2, changed: 0.3, rics: [Rics("hash", 3, 0.2)]))));
        var rises = SummaryNotes.Rics(Run(Model("a", 0.1, 0.2, changed: 0.1, rics: [Rics("hash", 3, 0.2)])));
        Assert.Contains("changed_1px can rise under RICS", Assert.Single(rises), StringComparison.Ordinal);
    }

    [Fact]
    public void The_printed_rics_table_has_the_bound_on_hash_rows_and_no_identity_in_the_edge_column()
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(writer),
        });
        console.Profile.Width = 240;
        var m = Model("a", 0.1, 0.2, rics: [Rics("hash", 3), Rics("dog", 3)], cyclic: new RicsCyclicSummary(1, 0, 0.8, 10, 0.4));
        SummaryTable.Print(console, Run(m), "out/r1");
        var lines = writer.ToString().Split('\n');
        string hash = Assert.Single(lines, l => l.Contains("hash n=3", StringComparison.Ordinal));
        string dog = Assert.Single(lines, l => l.Contains("dog n=3", StringComparison.Ordinal));
        string cyclic = Assert.Single(lines, l => l.Contains("cyclic (canonical roll", StringComparison.Ordinal));
        Assert.Contains("50.0% / 25.0%", hash, StringComparison.Ordinal);
        Assert.DoesNotContain("50.0% / 25.0%", dog, StringComparison.Ordinal);
        Assert.Contains("identity on 40.0%", cyclic, StringComparison.Ordinal);
        Assert.Contains("no window", cyclic, StringComparison.Ordinal);
    }

    [Fact]
    public void Cyclic_rics_under_realistic_shifts_is_a_row_under_the_cyclic_one_and_a_note_beside_the_studys_11_percent()
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(writer),
        });
        console.Profile.Width = 240;
        var realistic = new RicsCyclicRealisticSummary(0.875, 0.125, new CosineStats(0.98, 0.9, 0.5), new ChangedSummary(0.99, 0.25));
        var m = Model("a", 0.1, 0.2, changed: 0.3, rics: [Rics("hash", 3, 0.2)], cyclic: new RicsCyclicSummary(1, 0, 0.8, 10, 0.4, realistic));
        SummaryTable.Print(console, Run(m), "out/r1");

        var lines = writer.ToString().Split('\n');
        int cyclicAt = Array.FindIndex(lines, l => l.Contains("cyclic (canonical roll", StringComparison.Ordinal));
        string row = lines[cyclicAt + 1];
        Assert.Contains("cyclic, under realistic 1-px shifts", row, StringComparison.Ordinal);
        Assert.Equal(["12.5%", "87.5%", "25.0%", "no window"], Regex.Matches(row, @"\d+\.\d%|no window").Select(x => x.Value));
        string note = Assert.Single(SummaryNotes.Rics(Run(m)));
        Assert.Contains("fooled on a 12.5% of images", note, StringComparison.Ordinal);
        Assert.Contains("fooled 11.0% of the time", note, StringComparison.Ordinal);
        Assert.Contains("11.0%", writer.ToString(), StringComparison.Ordinal); // the note is printed under the table
        // Without the measurement (an older summary) there is neither row nor note.
        Assert.Empty(SummaryNotes.Rics(Run(Model("a", 0.1, 0.2, changed: 0.3, cyclic: new RicsCyclicSummary(1, 0, 0.8, 10, 0.4)))));
    }
}
