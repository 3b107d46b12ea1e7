using System.Globalization;
using RobustCrop.Shared.Results;
using Spectre.Console;

namespace RobustCrop.Coordinator.Console;

/// <summary>The headline table printed at the end of a run: one row per model.</summary>
public static class SummaryTable
{
    public static void Print(RunSummary s, string location)
    {
        // Logs and pipes report 80 columns, which folds every cell; a table of this width reads fine in any log viewer.
        if (System.Console.IsOutputRedirected) AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 150);
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"[bold]{Markup.Escape(s.RunId)}[/]: {s.Images} images, {s.Errors} errors — {Markup.Escape(s.Dataset)}");
        table.AddColumns("model", "fooled_1px", "consistency_1px", $"changed_1px (τ={F(s.Tau, "0.###")})",
            "cos_1px_min mean / p05", $"fooled_W{s.WindowK}", "cyclic fooled_1px", "accuracy", "crops");
        foreach (var m in s.Models)
            table.AddRow(
                Markup.Escape(m.Model),
                Pct(m.Realistic.Fooled1px),
                Pct(m.Realistic.Consistency1px),
                Pct(m.Realistic.Changed1px.Rate),
                $"{F(m.Realistic.Cosine1pxMin.Mean, "0.0000")} / {F(m.Realistic.Cosine1pxMin.P05, "0.0000")}",
                Pct(m.Realistic.FooledWindow.Rate),
                Pct(m.Cyclic.Fooled1px),
                Pct(m.Accuracy),
                m.CropsInferred.ToString(CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"results: [link]{Markup.Escape(location)}[/]  (— = does not apply: no classes or no labels)");
    }

    private static string Pct(double? v) => v is double d ? (100 * d).ToString("0.0", CultureInfo.InvariantCulture) + "%" : "—";

    private static string F(double? v, string format) => v is double d ? d.ToString(format, CultureInfo.InvariantCulture) : "—";
}
