using System.Globalization;
using RobustCrop.Core.Results;
using RobustCrop.Core.Rics;

namespace RobustCrop.Coordinator.Console;

/// <summary>
/// The rules behind the end-of-run tables that keep them from being misread: which RICS rows carry the proven bound, what
/// the cyclic row says in place of a window edge, and the footnotes printed under the tables when a figure needs one.
/// Plain functions of the summary, so the console table and its tests share them.
/// </summary>
public static class SummaryNotes
{
    /// <summary>The only score the (n−1)/(n+1) axis bound is proven for (DESIGN §5): a score keyed by position alone.</summary>
    public static string BoundScore { get; } = RicsScores.Name(RicsScore.Hash);

    /// <summary>True where a RICS row carries the proven bound: the hash score only.</summary>
    public static bool HasBound(RicsSummary r) => r.Score == BoundScore && r.Mode == RicsMode.Select.Name;

    /// <summary>The bound cell of a RICS row: "axis / N1" for the hash score, empty for any other score (no guarantee).</summary>
    public static string BoundCell(RicsSummary r)
        => HasBound(r) ? $"{Pct(r.BoundConsistencyAxis1px)} / {Pct(r.BoundConsistency1px)}" : "";

    /// <summary>The window-edge cell of the cyclic RICS row: it has no window, so the cell says that plainly.</summary>
    public const string CyclicEdgeCell = "no window";

    /// <summary>The setting cell of the cyclic row, with the share of images whose canonical roll is the identity.</summary>
    public static string CyclicSetting(RicsCyclicSummary c)
        => c.IdentityRate is { } id ? $"cyclic (canonical roll; identity on {Pct(id)})" : "cyclic (canonical roll)";

    /// <summary>The study's reference (DESIGN §5a): models built to be robust to cyclic shifts are still fooled by a 1-px
    /// realistic shift on this share of images.</summary>
    public const double StudyCyclicRobustFooledRealistic = 0.11;

    /// <summary>The setting cell of the cyclic RICS row measured under realistic shifts.</summary>
    public const string CyclicRealisticSetting = "cyclic, under realistic 1-px shifts";

    /// <summary>The note that reads cyclic RICS's realistic fooling beside its guarantee and the study's figure; null when no
    /// model measured it.</summary>
    public static string? CyclicRealistic(RunSummary s)
    {
        var measured = s.Models.Where(m => m.RicsCyclic?.Realistic?.Fooled1px is not null).ToList();
        if (measured.Count == 0) return null;
        string figures = string.Join(", ", measured.Select(m => $"{Name(s, m)} {Pct(m.RicsCyclic!.Realistic!.Fooled1px)}"));
        return $"Cyclic RICS is 100% consistent under integer cyclic shifts by construction; under realistic 1-px shifts (the crop at " +
               $"base + Δ in the scene, canonicalised) it is fooled on {figures} of images — the study found models built for cyclic " +
               $"shifts fooled {Pct(StudyCyclicRobustFooledRealistic)} of the time.";
    }

    /// <summary>Footnotes under the headline table: fooled_W equal to fooled_1px.</summary>
    public static IReadOnlyList<string> Summary(RunSummary s)
    {
        var notes = new List<string>();
        var same = s.Models.Where(m => m.Realistic.Fooled1px is { } f && m.Realistic.FooledWindow.Rate is { } w && f == w
                                        && m.Realistic.FooledWindow.K > 1).ToList();
        if (same.Count > 0)
        {
            int k = same[0].Realistic.FooledWindow.K;
            int judged = s.Models.Count(m => m.Realistic.Fooled1px is not null && m.Realistic.FooledWindow.Rate is not null);
            string who = same.Count == judged ? (judged == s.Models.Count ? "every model" : "every model with a class answer")
                : string.Join(", ", same.Select(m => Name(s, m)));
            notes.Add($"fooled_W{k} equals fooled_1px for {who}: on this run no image keeps its answer over the 8 one-pixel shifts " +
                      $"and changes it only at a larger shift of W{k} (it is not a copied column).");
        }
        return notes;
    }

    /// <summary>Footnotes under the RICS table: changed_1px rising under RICS.</summary>
    public static IReadOnlyList<string> Rics(RunSummary s)
    {
        var notes = new List<string>();
        bool rises = s.Models.Any(m => m.Realistic.Changed1px.Rate is { } b
            && m.Rics.Any(r => r.Mode == RicsMode.Select.Name && r.Changed1px.Rate is { } c && c > b));
        if (rises)
            notes.Add("changed_1px can rise under RICS select: when a shift changes the selected crop, the two crops compared are up to n px " +
                      "apart instead of 1 px, so their embeddings differ more even where the prediction holds.");
        if (CyclicRealistic(s) is { } cyclic) notes.Add(cyclic);
        if (s.Models.Any(m => m.Rics.Any(r => r.Mode != RicsMode.Select.Name)))
            notes.Add("soft<k> combines about k candidates chosen by content (hash in the top k/n²) with tent weights that fall to 0 at the " +
                      "window's edge, so a 1-px shift moves little weight (k forwards per frame); block<b> averages the b×b adjacent crops at the " +
                      "window's centre, so a 1-px shift keeps b(b−1) of them (b² forwards); rook<b> averages b crops, one per row and column of " +
                      "that block, so each axis still sees b consecutive offsets (b forwards); mean-all averages all n² (the reference end point).");
        return notes;
    }

    internal static string Name(RunSummary s, ModelSummary m) => m.Dataset is { } d && d != s.Dataset ? $"{m.Model} ({d})" : m.Model;

    internal static string Pct(double? v) => v is double d ? (100 * d).ToString("0.0", CultureInfo.InvariantCulture) + "%" : "—";
}
