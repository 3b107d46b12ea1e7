using RobustCrop.Core.Results;
using Spectre.Console;

namespace RobustCrop.Coordinator.Console;

/// <summary>One line of the "beyond integer shifts" table: a model (or one of its RICS settings) and a cell per motion.</summary>
/// <param name="Cells">The integer 1-px shift first, then one per column of <see cref="MotionTable.Specs"/>.</param>
public sealed record MotionLine(string Model, string Setting, IReadOnlyList<string> Cells);

/// <summary>
/// Consistency against motion amount (DESIGN §4b), per model and per RICS setting, beside the integer 1-px shift: the
/// console table and the report's "beyond integer shifts" section read the same lines.
/// </summary>
public static class MotionTable
{
    /// <summary>The run's motion specs, by kind in --motion's order of kinds, then by amount (δ = 0.25, 0.5, 1; θ = 0.5°, 1°).</summary>
    public static IReadOnlyList<(string Kind, double Amount, string Name)> Specs(RunSummary s)
    {
        ArgumentNullException.ThrowIfNull(s);
        string[] kinds = ["subpixel", "rotate", "zoom", "jpeg", "noise"];
        return [.. s.Models.SelectMany(m => m.Motion ?? []).Select(x => (x.Kind, x.Amount, Name: x.Motion)).Distinct()
            .OrderBy(x => Array.IndexOf(kinds, x.Kind)).ThenBy(x => x.Amount)];
    }

    public static IReadOnlyList<MotionLine> Lines(RunSummary s)
    {
        var specs = Specs(s);
        var lines = new List<MotionLine>();
        foreach (var m in s.Models.Where(m => m.Motion is { Count: > 0 }))
        {
            var byName = m.Motion!.ToDictionary(x => x.Motion, StringComparer.Ordinal);
            lines.Add(new MotionLine(SummaryNotes.Name(s, m), "model (centre crop)",
                [Cell(m.Realistic.Consistency1px, m.Realistic.Changed1px.Rate, null, m.Realistic.NnChanged1px),
                 .. specs.Select(x => byName.TryGetValue(x.Name, out var e) ? Cell(e.Consistency1px, e.Changed1px.Rate, null, e.NnChanged1px) : "")]));
            foreach (var r in m.Rics)
            {
                // Each setting's own mode: a mode measured at integer shifts only shows empty motion cells, never select's.
                lines.Add(new MotionLine("", r.Mode == "select" ? $"{r.Score} n={r.Window}" : $"{r.Score} n={r.Window} {r.Mode}",
                    [Cell(r.Consistency1px, r.Changed1px.Rate, r.SelectionKeptAxis1px, r.NnChanged1px),
                     .. specs.Select(x => byName.TryGetValue(x.Name, out var e)
                        && e.Rics.FirstOrDefault(q => q.Window == r.Window && q.Score == r.Score && q.Mode == r.Mode) is { } q
                            ? Cell(q.Consistency1px, q.Changed1px.Rate, q.SelectionKept, q.NnChanged1px) : "")]));
            }
        }
        return lines;
    }

    /// <summary>The consistency, or the changed rate where the model has no class answer; RICS adds the selection kept, and
    /// a run that kept its embeddings the nn_changed rate.</summary>
    private static string Cell(double? consistency, double? changed, double? kept, double? nn)
    {
        string main = consistency is not null ? SummaryNotes.Pct(consistency) : "changed " + SummaryNotes.Pct(changed);
        if (nn is not null) main += $", nn {SummaryNotes.Pct(nn)}";
        return kept is null ? main : $"{main} (kept {SummaryNotes.Pct(kept)})";
    }

    public const string Note =
        "Consistency: the share of moved views (subpixel: the 8 N1 directions scaled by δ, re-rendered from the source; rotate: ±θ; zoom: s and 1/s; " +
        "jpeg: the re-encoded scene and its 8 one-pixel shifts; noise: one seeded draw) whose prediction equals the base view's; RICS rows compare RICS " +
        "predictions, and 'kept' is the share of moved views whose RICS choice is the base view's scene crop (to within a pixel); " +
        "'nn' (with --keep-embeddings) is the share of images for which some moved view's nearest neighbour among the other images' base embeddings differs from the base view's. " +
        "The hash score needs exact pixels, so its selection is a coin toss once they are resampled.";

    public static void Print(IAnsiConsole console, RunSummary s)
    {
        ArgumentNullException.ThrowIfNull(console);
        var lines = Lines(s);
        if (lines.Count == 0) return;
        var t = new Table().Border(TableBorder.Rounded).Title("[bold]Beyond integer shifts[/]: consistency under camera motion");
        t.AddColumns(["model", "setting", "1 px (integer)", .. Specs(s).Select(x => Markup.Escape(x.Name))]);
        foreach (var l in lines) t.AddRow([Markup.Escape(l.Model), Markup.Escape(l.Setting), .. l.Cells.Select(Markup.Escape)]);
        console.Write(t);
        console.MarkupLine(Markup.Escape(Note));
    }
}
