using RobustCrop.Core.Geometry;
using RobustCrop.Core.Imaging;
using RobustCrop.Core.Rics;
using RobustCrop.Core.Settings;

namespace RobustCrop.Core.Planning;

/// <summary>
/// What one RICS setting chose for each frame shift (null: not taken): <see cref="Shifts"/>[0] is the unshifted frame,
/// then N1, then (when asked) the rest of W_k.
/// </summary>
/// <param name="RealisticFrames">Cyclic RICS only: for each of <see cref="Shifts"/>, the canonical image of the crop at
/// base + Δ in the scene (the realistic shift; null where it leaves the scene), so the canonicalised model is measured under
/// realistic shifts too (DESIGN §9 rics_cyclic.realistic). Entry 0 is the base frame's choice.</param>
/// <param name="Members">A combining mode's candidates and weights per frame (DESIGN §5b), null for select and cyclic; a
/// frame whose window leaves the scene has an empty list. <see cref="Frames"/> then holds each frame's named member (the
/// heaviest, ties to the one nearest the frame's own crop), in evaluate as in predict (<see cref="ImagePlanner.Deployment"/>).</param>
public sealed record RicsSettingChoices(RicsSetting Setting, IReadOnlyList<Shift> Shifts, IReadOnlyList<PlannedCrop?> Frames,
    IReadOnlyList<bool> OnBorder, int OffsetX, int OffsetY, IReadOnlyList<PlannedCrop?>? RealisticFrames = null,
    IReadOnlyList<IReadOnlyList<(PlannedCrop Crop, float Weight)>>? Members = null)
{
    public int Window => Setting.Window;

    /// <summary>The rics rows' <c>mode</c> value.</summary>
    public string Mode => Setting.ModeName;

    /// <summary>The rics rows' <c>score</c> value.</summary>
    public string Score => Setting.Name;
}

/// <summary>
/// The RICS selections of one image for one model: every choice is an absolute scene crop (or a roll of the base crop),
/// handed to the crop plan as extra crops so nothing is inferred twice.
/// </summary>
public sealed class RicsPlan
{
    public static RicsPlan Empty { get; } = new([]);

    internal RicsPlan(IReadOnlyList<RicsSettingChoices> settings) => Settings = settings;

    public IReadOnlyList<RicsSettingChoices> Settings { get; }

    public IEnumerable<PlannedCrop> Crops => Settings.SelectMany(s => s.Frames.Concat(s.RealisticFrames ?? [])).OfType<PlannedCrop>()
        .Concat(Settings.Where(s => s.Members is not null).SelectMany(s => s.Members!.SelectMany(m => m.Select(x => x.Crop))));
}

/// <summary>One image × model's plan: the crops to infer and the RICS choices among them, or why there is none.</summary>
public sealed class ImagePlan
{
    private ImagePlan(CropPlan? crops, RicsPlan rics, string? error) { Crops = crops; Rics = rics; Error = error; }

    /// <summary>Null exactly when <see cref="Error"/> is set.</summary>
    public CropPlan? Crops { get; }

    public RicsPlan Rics { get; }

    /// <summary>Why the image cannot be planned (an error row of stage plan).</summary>
    public string? Error { get; }

    public static ImagePlan Of(CropPlan crops, RicsPlan? rics = null) => new(crops, rics ?? RicsPlan.Empty, null);

    public static ImagePlan Failed(string error) => new(null, RicsPlan.Empty, error);
}

/// <summary>
/// Builds each image's crop plan and RICS plan from its scene alone (DESIGN §3, §5): pure, no I/O, so every command
/// that runs a model — evaluate, bench, predict, fit-head — plans through here and they cannot drift apart.
/// </summary>
public sealed class ImagePlanner
{
    private readonly Func<RgbImage, SceneGeometry, ImagePlan> _plan;

    private ImagePlanner(Func<RgbImage, SceneGeometry, ImagePlan> plan) => _plan = plan;

    public ImagePlan Plan(RgbImage scene, SceneGeometry geometry) => _plan(scene, geometry);

    /// <summary>evaluate and bench: the base crop, every realistic shift of N1 and W_k, the cyclic N1 rolls, and the run's RICS.</summary>
    public static ImagePlanner Measurement(RunSettings settings) => new((scene, g) =>
    {
        var rics = BuildRics(scene, g, settings);
        var plan = CropPlan.Build(g, settings.RealisticShifts, ShiftSets.N1, extraCrops: rics.Crops);
        return plan.RealisticShifts.Length == 0
            ? ImagePlan.Failed($"scene {scene.Width}x{scene.Height} leaves no room for any 1-px shift of a {g.CropSize}-px crop")
            : ImagePlan.Of(plan, rics);
    });

    /// <summary>fit-head: the base crop alone (standard preprocessing).</summary>
    public static ImagePlanner BaseCrop { get; } = new((_, g) => ImagePlan.Of(CropPlan.Build(g, [], [])));

    /// <summary>
    /// predict: the one crop a deployed model classifies: the standard centre crop (<paramref name="selection"/> null),
    /// the realistic RICS choice of the unshifted frame, or the canonical cyclic roll of the base crop.
    /// </summary>
    public static ImagePlanner Deployment(RicsSetting? selection, ulong seed) => new((scene, g) =>
    {
        switch (selection)
        {
            case { IsCyclic: true }:
                var (rx, ry) = CyclicCanonicalizer.Canonicalize(scene, g.Base, g.CropSize, 0, 0);
                return ImagePlan.Of(CropPlan.Only(g, new PlannedCrop(g.Base, rx, ry)));
            case { Mode.IsSelect: false } s:
                // A combining mode (DESIGN §5b) infers its members of the unshifted frame and nothing else, so its cost is
                // its member count (soft k: k on average, block b: b², mean-all: n²). The row's crop is its representative.
                var combined = Combined(new RicsSelector(scene, g.Base, g.CropSize, s.Window, 0, seed), g, s, [Shift.Zero]);
                if (combined.Frames[0] is not { } named)
                    return ImagePlan.Failed($"scene {scene.Width}x{scene.Height} has no room for a {s.Window}x{s.Window} RICS window around the {g.CropSize}-px crop");
                return ImagePlan.Of(CropPlan.Of(g, [named, .. combined.Members![0].Select(m => m.Crop).Where(c => c != named)]),
                    new RicsPlan([combined]));
            case { } s:
                // Only the unshifted frame is selected, so the scoring reach is the window alone.
                var choice = new RicsSelector(scene, g.Base, g.CropSize, s.Window, 0, seed).Select(s.Window, s.Score, Shift.Zero);
                return choice is { } c
                    ? ImagePlan.Of(CropPlan.Only(g, new PlannedCrop(c.Position, 0, 0)))
                    : ImagePlan.Failed($"scene {scene.Width}x{scene.Height} has no room for a {s.Window}x{s.Window} RICS window around the {g.CropSize}-px crop");
            default:
                return ImagePlan.Of(CropPlan.Only(g, new PlannedCrop(g.Base, 0, 0)));
        }
    });

    /// <summary>
    /// The member a deployed combining mode's row names (its position and offset): the heaviest, ties to the one nearest
    /// the frame's own crop, then the first listed. So block b and mean-all name the frame's own crop and soft k its
    /// heaviest (most central) member. It is one of the members, so naming it costs no forward.
    /// </summary>
    private static PlannedCrop Representative(List<(PlannedCrop Crop, float Weight)> members, CropPosition own)
    {
        var best = members[0];
        foreach (var m in members.Skip(1))
            if (m.Weight > best.Weight || (m.Weight == best.Weight && Distance(m.Crop.Position, own) < Distance(best.Crop.Position, own)))
                best = m;
        return best.Crop;

        static int Distance(CropPosition a, CropPosition b) => Math.Abs(a.X - b.X) + Math.Abs(a.Y - b.Y);
    }

    /// <summary>The run's RICS choices for one scene: realistic settings (windows outer, scores inner), then cyclic.</summary>
    public static RicsPlan BuildRics(RgbImage scene, SceneGeometry g, RunSettings s)
    {
        var rics = s.Rics;
        if (!rics.Any) return RicsPlan.Empty;
        var result = new List<RicsSettingChoices>();
        var frames = new List<Shift>(9) { Shift.Zero };
        frames.AddRange(ShiftSets.N1);
        var realisticFrames = new List<Shift>(frames);
        if (rics.WindowFrames && s.WindowK > 1) realisticFrames.AddRange(ShiftSets.Window(s.WindowK).Except(ShiftSets.N1));
        if (rics.AnyRealistic)
        {
            var selector = new RicsSelector(scene, g.Base, g.CropSize, rics.Windows.Max(), realisticFrames.Max(f => f.Radius), rics.Seed);
            foreach (var setting in rics.RealisticSettings)
            {
                if (!setting.Mode.IsSelect)
                {
                    result.Add(Combined(selector, g, setting, realisticFrames));
                    continue;
                }
                var choices = realisticFrames.Select(f => selector.Select(setting.Window, setting.Score, f)).ToList();
                result.Add(new RicsSettingChoices(setting, realisticFrames,
                    choices.Select(c => c is { } x ? new PlannedCrop(x.Position, 0, 0) : (PlannedCrop?)null).ToList(),
                    choices.Select(c => c is { OnBorder: true }).ToList(),
                    choices[0]?.OffsetX ?? 0, choices[0]?.OffsetY ?? 0));
            }
        }
        if (rics.Cyclic)
        {
            var rolls = CyclicCanonicalizer.CanonicalizeRolls(scene, g.Base, g.CropSize, [.. frames.Select(f => (f.Dx, f.Dy))])
                .Select(r => (RollX: r.RollX, RollY: r.RollY)).ToList();
            var canonicalBase = new PlannedCrop(g.Base, rolls[0].RollX, rolls[0].RollY);
            result.Add(new RicsSettingChoices(new RicsSetting(RicsScore.Cyclic, g.CropSize), frames,
                rolls.Select(r => (PlannedCrop?)new PlannedCrop(g.Base, r.RollX, r.RollY)).ToList(),
                rolls.Select(_ => false).ToList(), rolls[0].RollX, rolls[0].RollY,
                [.. frames.Select(f => f.IsZero ? canonicalBase : CanonicalAt(scene, g, f, canonicalBase))]));
        }
        return new RicsPlan(result);
    }

    /// <summary>
    /// The canonical image of the crop at base + <paramref name="shift"/> (null where the scene has no room for it). Where
    /// its pixels equal the canonical base's (the shift was in effect a cyclic one: padding, periodic content), the base's own
    /// crop is reused: one forward fewer, and the comparison is of one output with itself.
    /// </summary>
    private static PlannedCrop? CanonicalAt(RgbImage scene, SceneGeometry g, Shift shift, PlannedCrop canonicalBase)
    {
        if (!g.Supports(shift)) return null;
        var position = g.Shifted(shift);
        var (rx, ry) = CyclicCanonicalizer.CanonicalizeRolls(scene, position, g.CropSize, [(0, 0)])[0];
        var crop = new PlannedCrop(position, rx, ry);
        return CyclicCanonicalizer.SamePixels(scene, crop, canonicalBase, g.CropSize) ? canonicalBase : crop;
    }

    /// <summary>
    /// A combining mode's members per frame; each frame's named crop is its <see cref="Representative"/>, as predict names
    /// it, so the plan infers the members and nothing else (a block or rook mode has no hash choice to add).
    /// </summary>
    private static RicsSettingChoices Combined(RicsSelector selector, SceneGeometry g, RicsSetting setting, List<Shift> frames)
    {
        var members = new List<IReadOnlyList<(PlannedCrop, float)>>(frames.Count);
        var named = new List<RicsChoice?>(frames.Count);
        var scratch = new List<(CropPosition Position, float Weight)>();
        int half = (setting.Window - 1) / 2;
        foreach (var f in frames)
        {
            if (!selector.Members(setting.Window, setting.Mode, f, scratch))
            {
                members.Add([]);
                named.Add(null);
                continue;
            }
            var weighted = scratch.Select(m => (new PlannedCrop(m.Position, 0, 0), m.Weight)).ToList();
            var own = new CropPosition(g.Base.X + f.Dx, g.Base.Y + f.Dy);
            var crop = Representative(weighted, own);
            members.Add(weighted);
            named.Add(new RicsChoice(crop.Position, crop.Position.X - own.X, crop.Position.Y - own.Y, half));
        }
        return new RicsSettingChoices(setting, frames,
            named.Select(c => c is { } x ? new PlannedCrop(x.Position, 0, 0) : (PlannedCrop?)null).ToList(),
            named.Select(c => c is { OnBorder: true }).ToList(),
            named[0]?.OffsetX ?? 0, named[0]?.OffsetY ?? 0, Members: members);
    }
}
