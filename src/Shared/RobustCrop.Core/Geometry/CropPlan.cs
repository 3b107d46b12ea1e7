using System.Collections.Immutable;

namespace RobustCrop.Core.Geometry;

/// <summary>One distinct model input: the C×C window at <see cref="Position"/>, rolled cyclically by (RollX, RollY).</summary>
public readonly record struct PlannedCrop(CropPosition Position, int RollX, int RollY)
{
    public bool IsRolled => RollX != 0 || RollY != 0;
}

/// <summary>
/// Every distinct crop one image needs for one model family, each to be inferred once.
/// Realistic shifts, windows and RICS selections overlap heavily, so everything is keyed by
/// absolute scene position (and roll); metrics look their crops up here instead of re-running them.
/// </summary>
public sealed class CropPlan
{
    private readonly Dictionary<PlannedCrop, int> _index;

    private CropPlan(SceneGeometry geometry, ImmutableArray<PlannedCrop> crops, Dictionary<PlannedCrop, int> index,
        ImmutableArray<Shift> realistic, ImmutableArray<Shift> cyclic, ImmutableArray<Shift> unsupported)
    {
        Geometry = geometry;
        Crops = crops;
        _index = index;
        RealisticShifts = realistic;
        CyclicShifts = cyclic;
        UnsupportedShifts = unsupported;
    }

    public SceneGeometry Geometry { get; }

    /// <summary>Distinct crops in a stable order; index 0 is always the base crop.</summary>
    public ImmutableArray<PlannedCrop> Crops { get; }

    /// <summary>The realistic shifts that the scene supports (requested ones that leave it are dropped).</summary>
    public ImmutableArray<Shift> RealisticShifts { get; }

    public ImmutableArray<Shift> CyclicShifts { get; }

    /// <summary>Requested realistic shifts the scene could not take.</summary>
    public ImmutableArray<Shift> UnsupportedShifts { get; }

    public int BaseIndex => 0;

    public int IndexOf(PlannedCrop crop) => _index.TryGetValue(crop, out int i) ? i : -1;

    public int IndexOfPosition(CropPosition p) => IndexOf(new PlannedCrop(p, 0, 0));

    /// <summary>Index of the realistic crop under shift s, or -1 when the scene does not support it.</summary>
    public int IndexOfRealistic(Shift s) => s.IsZero ? 0 : IndexOfPosition(Geometry.Shifted(s));

    public int IndexOfCyclic(Shift s) => s.IsZero ? 0 : IndexOf(Normalise(new PlannedCrop(Geometry.Base, s.Dx, s.Dy)));

    public static CropPlan Build(
        SceneGeometry geometry,
        IEnumerable<Shift> realisticShifts,
        IEnumerable<Shift> cyclicShifts,
        IEnumerable<CropPosition>? extraPositions = null,
        IEnumerable<PlannedCrop>? extraCrops = null)
    {
        var crops = ImmutableArray.CreateBuilder<PlannedCrop>();
        var index = new Dictionary<PlannedCrop, int>();
        int Add(PlannedCrop c)
        {
            c = Normalise(c, geometry.CropSize);
            if (!index.TryGetValue(c, out int i))
            {
                i = crops.Count;
                index.Add(c, i);
                crops.Add(c);
            }
            return i;
        }

        Add(new PlannedCrop(geometry.Base, 0, 0));
        var realistic = ImmutableArray.CreateBuilder<Shift>();
        var unsupported = ImmutableArray.CreateBuilder<Shift>();
        foreach (var s in realisticShifts.Distinct())
        {
            if (s.IsZero) continue;
            if (geometry.Supports(s)) { realistic.Add(s); Add(new PlannedCrop(geometry.Shifted(s), 0, 0)); }
            else unsupported.Add(s);
        }
        var cyclic = ImmutableArray.CreateBuilder<Shift>();
        foreach (var s in cyclicShifts.Distinct())
        {
            if (s.IsZero) continue;
            cyclic.Add(s);
            Add(new PlannedCrop(geometry.Base, s.Dx, s.Dy));
        }
        if (extraPositions is not null)
            foreach (var p in extraPositions)
            {
                if (!geometry.Contains(p)) throw new ArgumentOutOfRangeException(nameof(extraPositions), $"crop at {p} leaves the scene");
                Add(new PlannedCrop(p, 0, 0));
            }
        if (extraCrops is not null)
            foreach (var c in extraCrops)
            {
                if (!geometry.Contains(c.Position)) throw new ArgumentOutOfRangeException(nameof(extraCrops), $"crop at {c.Position} leaves the scene");
                Add(c);
            }
        return new CropPlan(geometry, crops.ToImmutable(), index, realistic.ToImmutable(), cyclic.ToImmutable(), unsupported.ToImmutable());
    }

    /// <summary>A plan of one crop (inference mode: only the selected crop is run); its index 0 is that crop.</summary>
    public static CropPlan Only(SceneGeometry geometry, PlannedCrop crop)
    {
        if (!geometry.Contains(crop.Position)) throw new ArgumentOutOfRangeException(nameof(crop), $"crop at {crop.Position} leaves the scene");
        var c = Normalise(crop, geometry.CropSize);
        return new CropPlan(geometry, [c], new Dictionary<PlannedCrop, int> { [c] = 0 }, [], [], []);
    }

    /// <summary>A plan of just these crops, in this order, each once (a deployed combining RICS mode: its members); index 0 is the first.</summary>
    public static CropPlan Of(SceneGeometry geometry, IReadOnlyList<PlannedCrop> crops)
    {
        ArgumentNullException.ThrowIfNull(crops);
        if (crops.Count == 0) throw new ArgumentException("a plan needs a crop", nameof(crops));
        var list = ImmutableArray.CreateBuilder<PlannedCrop>();
        var index = new Dictionary<PlannedCrop, int>();
        foreach (var crop in crops)
        {
            if (!geometry.Contains(crop.Position)) throw new ArgumentOutOfRangeException(nameof(crops), $"crop at {crop.Position} leaves the scene");
            var c = Normalise(crop, geometry.CropSize);
            if (index.TryAdd(c, list.Count)) list.Add(c);
        }
        return new CropPlan(geometry, list.ToImmutable(), index, [], [], []);
    }

    private PlannedCrop Normalise(PlannedCrop c) => Normalise(c, Geometry.CropSize);

    // A roll by C is the identity: key rolls modulo C so equal inputs share one inference.
    private static PlannedCrop Normalise(PlannedCrop c, int size)
        => c with { RollX = ((c.RollX % size) + size) % size, RollY = ((c.RollY % size) + size) % size };
}
