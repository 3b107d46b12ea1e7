using System.Globalization;
using RobustCrop.Core.Results;
using Spectre.Console;

namespace RobustCrop.Coordinator.Console;

/// <summary>The headline table printed at the end of a run: one row per model (per model × dataset in a composite run).</summary>
public static class SummaryTable
{
    /// <summary>A composite run prints one row per model × source dataset, the model named "model (dataset)".</summary>
    private static string Name(RunSummary s, ModelSummary m) => SummaryNotes.Name(s, m);

    /// <param name="console">The command's console; its width is set where it is created (see CliConsole).</param>
    public static void Print(IAnsiConsole console, RunSummary s, string location)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"[bold]{Markup.Escape(s.RunId)}[/]: {s.Images} images, {s.Errors} errors — {Markup.Escape(s.Dataset)}");
        table.AddColumns("model", "fooled_1px", "consistency_1px", $"changed_1px (τ={F(s.Tau, "0.###")})",
            "cos_1px_min mean / p05", $"fooled_W{s.WindowK}", "cyclic fooled_1px", "accuracy", "crops");
        foreach (var m in s.Models)
            table.AddRow(
                Markup.Escape(Name(s, m)),
                Pct(m.Realistic.Fooled1px),
                Pct(m.Realistic.Consistency1px),
                Pct(m.Realistic.Changed1px.Rate),
                $"{F(m.Realistic.Cosine1pxMin.Mean, "0.0000")} / {F(m.Realistic.Cosine1pxMin.P05, "0.0000")}",
                Pct(m.Realistic.FooledWindow.Rate),
                Pct(m.Cyclic.Fooled1px),
                // A resize.margin model shows its native-preprocessing accuracy too: the margin's cost at a glance.
                m.AccuracyNative is null ? Pct(m.Accuracy) : $"{Pct(m.Accuracy)} (native {Pct(m.AccuracyNative)})",
                m.CropsInferred.ToString(CultureInfo.InvariantCulture));
        console.Write(table);
        foreach (var note in SummaryNotes.Summary(s)) console.MarkupLine(Markup.Escape(note));
        PrintRics(console, s);
        MotionTable.Print(console, s);
        console.MarkupLine($"results: [link]{Markup.Escape(location)}[/]  (— = does not apply: no classes or no labels)");
    }

    /// <summary>The consistency / accuracy trade-off: baseline, each RICS setting, and cyclic RICS, per model.</summary>
    private static void PrintRics(IAnsiConsole console, RunSummary s)
    {
        if (s.Models.All(m => m.Rics.Count == 0 && m.RicsCyclic is null)) return;
        var t = new Table().Border(TableBorder.Rounded).Title("[bold]RICS[/]: robust inference by crop selection");
        t.AddColumns("model", "setting", "fooled_1px", "consistency_1px", "hash bound (axis / N1)", "same crop kept (axis)", "changed_1px",
            "accuracy", "Δ accuracy", "on window edge", "fwd/frame", "cosine min (mean)", "nn_changed_1px");
        foreach (var m in s.Models)
        {
            t.AddRow(Markup.Escape(Name(s, m)), "baseline (centre crop)", Pct(m.Realistic.Fooled1px), Pct(m.Realistic.Consistency1px), "", "", Pct(m.Realistic.Changed1px.Rate), Pct(m.Accuracy), "", "",
                "1", F(m.Realistic.Cosine1pxMin.Mean, "0.0000"), Pct(m.Realistic.NnChanged1px));
            foreach (var r in m.Rics)
                t.AddRow("", $"{Markup.Escape(r.Score)} n={r.Window} {Markup.Escape(r.Mode)}", Pct(r.Fooled1px), Pct(r.Consistency1px),
                    SummaryNotes.BoundCell(r), Pct(r.SelectionKeptAxis1px), Pct(r.Changed1px.Rate), Pct(r.Accuracy),
                    Points(r.Accuracy, m.Accuracy), Pct(r.BorderRate), F(r.ForwardsPerFrame, "0.#"), F(r.Cosine1pxMin?.Mean, "0.0000"), Pct(r.NnChanged1px));
            if (m.RicsCyclic is { } c)
                t.AddRow("", Markup.Escape(SummaryNotes.CyclicSetting(c)), Pct(c.Fooled1px), Pct(c.Consistency1px), "100% / 100%", "", "", Pct(c.Accuracy),
                    Points(c.Accuracy, m.Accuracy), SummaryNotes.CyclicEdgeCell, "1", "", "");
            // The same canonicalised model under realistic shifts: what its 100% cyclic consistency does not cover.
            if (m.RicsCyclic?.Realistic is { } cr)
                t.AddRow("", SummaryNotes.CyclicRealisticSetting, Pct(cr.Fooled1px), Pct(cr.Consistency1px), "", "", Pct(cr.Changed1px.Rate), "", "",
                    SummaryNotes.CyclicEdgeCell, "", F(cr.Cosine1pxMin.Mean, "0.0000"), "");
        }
        console.Write(t);
        console.MarkupLine("RICS rows measure realistic 1-px shifts (cyclic: integer cyclic shifts, then realistic ones on its second row); the bound is the hash score's guarantee, shown on hash rows only, " +
            "beside the measured share of axis 1-px shifts that keep the same scene crop (the event it bounds).");
        foreach (var note in SummaryNotes.Rics(s)) console.MarkupLine(Markup.Escape(note));
    }

    private static string Points(double? a, double? b)
        => a is double x && b is double y ? (100 * (x - y)).ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture) + " pt" : "—";

    private static string Pct(double? v) => SummaryNotes.Pct(v);

    private static string F(double? v, string format) => v is double d ? d.ToString(format, CultureInfo.InvariantCulture) : "—";
}
