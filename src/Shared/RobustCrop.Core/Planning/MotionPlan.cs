using RobustCrop.Core.Geometry;
using RobustCrop.Core.Imaging;
using RobustCrop.Core.Motion;
using RobustCrop.Core.Rics;

namespace RobustCrop.Core.Planning;

/// <summary>One crop of a moved view to infer: the view's scene and the crop's top-left in it.</summary>
public readonly record struct MotionCrop(RgbImage Scene, CropPosition Position);

/// <summary>
/// What one RICS setting chose in each view of a motion: the output index of the choice (−1: its window leaves the view's
/// scene), whether it is the base frame's scene crop (to within a pixel, through the view's map) and whether it lies on
/// the window's border.
/// </summary>
/// <param name="BaseMembers">A combining mode (DESIGN §5b): the base frame's members (output index, weight); null for select.</param>
/// <param name="Members">A combining mode: each view's members, chosen on the view's own candidates exactly as on the base
/// (empty where the window leaves the view's scene). <see cref="Outputs"/> then holds each view's first member, and
/// <see cref="Kept"/> whether its member set is the base frame's (the same scene crops, each to within a pixel).</param>
public sealed record MotionRicsChoices(RicsSetting Setting, string Mode, int BaseOutput, IReadOnlyList<int> Outputs,
    IReadOnlyList<bool> Kept, IReadOnlyList<bool> OnBorder, IReadOnlyList<(int Output, float Weight)>? BaseMembers = null,
    IReadOnlyList<IReadOnlyList<(int Output, float Weight)>>? Members = null);

/// <summary>One motion spec of one image × model: the output index of each view's crop (−1: not taken) and the RICS choices.</summary>
public sealed record MotionEntry(MotionSpec Spec, IReadOnlyList<int> Outputs, IReadOnlyList<MotionRicsChoices> Rics);

/// <summary>
/// The motion part of one image × model's plan (DESIGN §4b): the crops of moved views to infer after the plan's own (the
/// output of <see cref="Crops"/>[i] is at <see cref="FirstOutput"/> + i), and per spec which outputs to compare. A view
/// that is the base scene itself reuses the plan's crop.
/// </summary>
public sealed class MotionPlan
{
    public static MotionPlan Empty { get; } = new([], [], 0);

    private MotionPlan(IReadOnlyList<MotionEntry> entries, IReadOnlyList<MotionCrop> crops, int firstOutput)
    {
        Entries = entries;
        Crops = crops;
        FirstOutput = firstOutput;
    }

    public IReadOnlyList<MotionEntry> Entries { get; }

    public IReadOnlyList<MotionCrop> Crops { get; }

    public int FirstOutput { get; }

    /// <param name="firstOutput">Where the motion crops' outputs start (after the plan's crops and any native crop).</param>
    public static MotionPlan Build(IReadOnlyList<MotionViewSet> sets, RgbImage scene, CropPlan plan, RicsPlan rics, ulong seed, int firstOutput)
    {
        if (sets.Count == 0) return Empty;
        var g = plan.Geometry;
        var crops = new List<MotionCrop>();
        var index = new Dictionary<(RgbImage, CropPosition), int>();
        int Output(RgbImage viewScene, CropPosition p)
        {
            if (!g.Contains(p)) return -1;
            if (ReferenceEquals(viewScene, scene) && plan.IndexOfPosition(p) is >= 0 and var i) return i;
            if (!index.TryGetValue((viewScene, p), out int j))
            {
                index[(viewScene, p)] = j = firstOutput + crops.Count;
                crops.Add(new MotionCrop(viewScene, p));
            }
            return j;
        }
        // Every realistic setting, select and combining modes (DESIGN §5b): a mode's members are chosen per moved view.
        var realistic = rics.Settings.Where(s => !s.Setting.IsCyclic && s.Frames[0] is not null).ToList();
        var entries = new List<MotionEntry>(sets.Count);
        foreach (var set in sets)
        {
            var outputs = set.Views.Select(v => Output(v.Scene, g.Shifted(v.Shift))).ToList();
            var choices = new List<MotionRicsChoices>(realistic.Count);
            if (realistic.Count > 0)
            {
                int maxWindow = realistic.Max(s => s.Window);
                var selectors = new Dictionary<RgbImage, RicsSelector?>(ReferenceEqualityComparer.Instance);
                foreach (var setting in realistic)
                {
                    if (setting.Members is { } baseMembers)
                    {
                        choices.Add(MotionRics.Combined(setting, baseMembers[0], plan, set, selectors,
                            v => MotionRics.Selector(v, g, maxWindow, set.Views, seed), Output, g.CropSize));
                        continue;
                    }
                    var baseChoice = setting.Frames[0]!.Value.Position;
                    var outs = new List<int>(set.Views.Count);
                    var kept = new List<bool>(set.Views.Count);
                    var border = new List<bool>(set.Views.Count);
                    foreach (var view in set.Views)
                    {
                        if (!selectors.TryGetValue(view.Scene, out var selector))
                            selectors[view.Scene] = selector = MotionRics.Selector(view.Scene, g, maxWindow, set.Views, seed);
                        var choice = MotionRics.Choose(selector, setting.Setting, view.Shift);
                        if (choice is not { } c) { outs.Add(-1); kept.Add(false); border.Add(false); continue; }
                        outs.Add(Output(view.Scene, c.Position));
                        kept.Add(MotionRics.SameSceneCrop(view.Map, c.Position, baseChoice, g.CropSize));
                        border.Add(c.OnBorder);
                    }
                    choices.Add(new MotionRicsChoices(setting.Setting, MotionRics.SelectMode, plan.IndexOf(setting.Frames[0]!.Value),
                        outs, kept, border));
                }
            }
            entries.Add(new MotionEntry(set.Spec, outputs, choices));
        }
        return new MotionPlan(entries, crops, firstOutput);
    }
}

/// <summary>
/// A RICS setting evaluated on a moved view: the one place a view's RICS choice is made, so a representation mode
/// (DESIGN §5b) is added here and every motion measures it.
/// </summary>
public static class MotionRics
{
    /// <summary>The mode every setting has today: the best candidate's own output.</summary>
    public const string SelectMode = "select";

    /// <summary>The selector of one view's scene (scoring every candidate the view's frames can reach), or null when the base
    /// crop leaves it.</summary>
    public static RicsSelector? Selector(RgbImage viewScene, SceneGeometry g, int maxWindow, IReadOnlyList<MotionView> views, ulong seed)
    {
        int reach = views.Where(v => ReferenceEquals(v.Scene, viewScene)).Select(v => v.Shift.Radius).DefaultIfEmpty(0).Max();
        return g.Contains(g.Base) ? new RicsSelector(viewScene, g.Base, g.CropSize, maxWindow, reach, seed) : null;
    }

    public static RicsChoice? Choose(RicsSelector? selector, RicsSetting setting, Shift frame)
        => selector?.Select(setting.Window, setting.Score, frame);

    /// <summary>
    /// A combining mode on every view of a motion: each view's members and weights come from its own selector, exactly as
    /// the base frame's did from the scene's (<see cref="RicsSelector.Members"/>), and the view keeps the selection when its
    /// member set is the base frame's: as many members, each with a counterpart in the other set within a pixel through the
    /// view's map (<see cref="SameSceneCrop"/>).
    /// </summary>
    /// <param name="output">The output index of a crop of a view's scene (registering it for inference when new).</param>
    public static MotionRicsChoices Combined(RicsSettingChoices setting, IReadOnlyList<(PlannedCrop Crop, float Weight)> baseMembers,
        CropPlan plan, MotionViewSet set, Dictionary<RgbImage, RicsSelector?> selectors, Func<RgbImage, RicsSelector?> newSelector,
        Func<RgbImage, CropPosition, int> output, int cropSize)
    {
        var s = setting.Setting;
        var outs = new List<int>(set.Views.Count);
        var kept = new List<bool>(set.Views.Count);
        var members = new List<IReadOnlyList<(int, float)>>(set.Views.Count);
        var scratch = new List<(CropPosition Position, float Weight)>();
        foreach (var view in set.Views)
        {
            if (!selectors.TryGetValue(view.Scene, out var selector)) selectors[view.Scene] = selector = newSelector(view.Scene);
            if (selector is null || !selector.Members(s.Window, s.Mode, view.Shift, scratch))
            {
                outs.Add(-1);
                kept.Add(false);
                members.Add([]);
                continue;
            }
            members.Add([.. scratch.Select(m => (output(view.Scene, m.Position), m.Weight))]);
            outs.Add(members[^1][0].Item1);
            kept.Add(scratch.Count == baseMembers.Count
                && scratch.All(m => baseMembers.Any(b => SameSceneCrop(view.Map, m.Position, b.Crop.Position, cropSize)))
                && baseMembers.All(b => scratch.Any(m => SameSceneCrop(view.Map, m.Position, b.Crop.Position, cropSize))));
        }
        return new MotionRicsChoices(s, s.ModeName, plan.IndexOf(setting.Frames[0]!.Value), outs, kept, [.. set.Views.Select(_ => false)],
            [.. baseMembers.Select(m => (plan.IndexOf(m.Crop), m.Weight))], members);
    }

    /// <summary>
    /// The view's choice is the base frame's scene crop: its centre, taken through the view's map into the scene, lies
    /// within less than a pixel of the base choice's centre on both axes (exactly equal for integer moves).
    /// </summary>
    public static bool SameSceneCrop(ViewMap map, CropPosition chosen, CropPosition baseChoice, int cropSize)
    {
        double half = cropSize / 2.0;
        var (x, y) = map.ToScene(chosen.X + half, chosen.Y + half);
        return Math.Abs(x - (baseChoice.X + half)) < 1 && Math.Abs(y - (baseChoice.Y + half)) < 1;
    }
}
