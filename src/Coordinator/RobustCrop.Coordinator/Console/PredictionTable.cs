using System.Globalization;
using RobustCrop.Core.Results;
using Spectre.Console;
using RobustCrop.Core.Text;

namespace RobustCrop.Coordinator.Console;

/// <summary>
/// predict's answer per input: a table on a terminal (input, class, confidence, top-3, label where there is one), one
/// plain line per input otherwise (logs, pipes, tests), so a reader sees the predictions without a query.
/// </summary>
public static class PredictionTable
{
    /// <summary>A table of <paramref name="rows"/>; <paramref name="total"/> past their count adds a line saying where the rest are.</summary>
    public static void Print(IAnsiConsole console, string title, IReadOnlyList<PredictionRow> rows, long total, string runDir)
    {
        if (rows.Count == 0) return;
        bool labelled = rows.Any(r => r.Label is not null);
        var table = new Table().Border(TableBorder.Rounded).Title($"[bold]{Markup.Escape(title)}[/]");
        // The key whole on one line; the top-3 one class a line, so a narrow terminal folds neither mid-word.
        table.AddColumn(new TableColumn("input").NoWrap());
        table.AddColumns("class", "confidence", "top-3");
        if (labelled) table.AddColumn("label");
        foreach (var r in rows)
        {
            var cells = new List<string> { Markup.Escape(TerminalText.Clean(r.ImageKey)), Markup.Escape(Class(r)), Confidence(r), Markup.Escape(r.TopK?.Replace(" | ", "\n", StringComparison.Ordinal) ?? "—") };
            if (labelled) cells.Add(Markup.Escape(TerminalText.Clean(Label(r))));
            table.AddRow([.. cells]);
        }
        console.Write(table);
        if (total > rows.Count) console.WriteLine(More(rows.Count, total, runDir));
    }

    /// <summary>One line per input: "key: class confidence (top-3: …)[, label L (right|wrong)]".</summary>
    public static void PrintLines(TextWriter output, IReadOnlyList<PredictionRow> rows, long total, string runDir)
    {
        foreach (var r in rows)
        {
            string answer = r.Prediction is null ? "no class" : $"{Class(r)} {Confidence(r)} (top-3: {r.TopK})";
            // Keys and labels come from the data (file and folder names): never let their control characters reach the terminal.
            string key = TerminalText.Clean(r.ImageKey);
            output.WriteLine(r.Label is null ? $"{key}: {answer}" : $"{key}: {answer}, label {TerminalText.Clean(Label(r))}");
        }
        if (total > rows.Count) output.WriteLine(More(rows.Count, total, runDir));
    }

    private static string More(int shown, long total, string runDir)
        => $"… {total - shown} more: robustcrop query --run {runDir} \"SELECT image_key, prediction_label, confidence, top_k FROM predictions\"";

    private static string Class(PredictionRow r)
        => r.Prediction is not int p ? "—" : r.PredictionLabel ?? p.ToString(CultureInfo.InvariantCulture);

    private static string Confidence(PredictionRow r)
        => r.Confidence is float c ? (100 * c).ToString("0.0", CultureInfo.InvariantCulture) + "%" : "—";

    private static string Label(PredictionRow r)
        => r.Correct switch { true => $"{r.Label} (right)", false => $"{r.Label} (wrong)", null => r.Label ?? "" };
}
