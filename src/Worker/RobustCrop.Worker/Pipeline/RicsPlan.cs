using RobustCrop.Core.Geometry;
using RobustCrop.Core.Imaging;
using RobustCrop.IO.Imaging;
using RobustCrop.Core.Results;
using RobustCrop.IO.Results;
using RobustCrop.Core.Rics;
using RobustCrop.Worker.Inference;

namespace RobustCrop.Worker.Pipeline;

/// <summary>
/// What one RICS setting chose for each frame shift (null: not taken): <see cref="Shifts"/>[0] is the unshifted frame,
/// then N1, then (when asked) the rest of W_k.
/// </summary>
public sealed record RicsSettingChoices(int Window, string Score, IReadOnlyList<Shift> Shifts, IReadOnlyList<PlannedCrop?> Frames,
    IReadOnlyList<bool> OnBorder, int OffsetX, int OffsetY);

/// <summary>
/// The RICS selections of one image for one model: every choice is an absolute scene crop (or a roll of the base crop),
/// handed to the crop plan as extra crops so nothing is inferred twice.
/// </summary>
public sealed class RicsPlan
{
    public static RicsPlan Empty { get; } = new([]);

    private RicsPlan(IReadOnlyList<RicsSettingChoices> settings) => Settings = settings;

    public IReadOnlyList<RicsSettingChoices> Settings { get; }

    public IEnumerable<PlannedCrop> Crops => Settings.SelectMany(s => s.Frames).OfType<PlannedCrop>();

    public const string CyclicScore = RunAggregator.CyclicScore;

    public static RicsPlan Build(RgbImage scene, SceneGeometry g, EvaluationSettings s)
    {
        if (!s.AnyRics) return Empty;
        var result = new List<RicsSettingChoices>();
        var frames = new List<Shift>(9) { Shift.Zero };
        frames.AddRange(ShiftSets.N1);
        var realisticFrames = new List<Shift>(frames);
        if (s.RicsWindowFrames && s.WindowK > 1) realisticFrames.AddRange(ShiftSets.Window(s.WindowK).Except(ShiftSets.N1));
        if (s.Windows.Count > 0)
        {
            var selector = new RicsSelector(scene, g.Base, g.CropSize, s.Windows.Max(), realisticFrames.Max(f => f.Radius), s.RicsSeed);
            foreach (int n in s.Windows)
                foreach (var score in s.Scores)
                {
                    var choices = realisticFrames.Select(f => selector.Select(n, score, f)).ToList();
                    result.Add(new RicsSettingChoices(n, RicsScores.Name(score), realisticFrames,
                        choices.Select(c => c is { } x ? new PlannedCrop(x.Position, 0, 0) : (PlannedCrop?)null).ToList(),
                        choices.Select(c => c is { OnBorder: true }).ToList(),
                        choices[0]?.OffsetX ?? 0, choices[0]?.OffsetY ?? 0));
                }
        }
        if (s.RicsCyclic)
        {
            var rolls = frames.Select(f => CyclicCanonicalizer.Canonicalize(scene, g.Base, g.CropSize, f.Dx, f.Dy)).ToList();
            result.Add(new RicsSettingChoices(g.CropSize, CyclicScore, frames,
                rolls.Select(r => (PlannedCrop?)new PlannedCrop(g.Base, r.RollX, r.RollY)).ToList(),
                rolls.Select(_ => false).ToList(), rolls[0].RollX, rolls[0].RollY));
        }
        return new RicsPlan(result);
    }
}
