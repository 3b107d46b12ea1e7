using RobustCrop.Core.Geometry;
using RobustCrop.Core.Imaging;
using RobustCrop.IO.Imaging;
using RobustCrop.Core.Rics;
using RobustCrop.Worker.Inference;

namespace RobustCrop.Worker.Pipeline;

/// <summary>What a shard evaluation measures; identical on every worker of a run.</summary>
/// <param name="Tau">changed_1px threshold on cosine_1px_min.</param>
/// <param name="WindowK">k of the fooled_window set Wk (0 = off).</param>
/// <param name="MaxBatch">Crops per inference call.</param>
public sealed record EvaluationSettings(
    string RunId,
    double Tau = 0.99,
    int WindowK = 2,
    bool KeepEmbeddings = false,
    int MaxBatch = 32,
    DecodeLimits? Limits = null,
    long MaxScenePixels = 16_000_000,
    IReadOnlyList<int>? RicsWindows = null,
    IReadOnlyList<RicsScore>? RicsScoreKinds = null,
    bool RicsCyclic = false,
    bool RicsWindowFrames = false,
    ulong RicsSeed = 0x52494353_00000001UL)
{
    public IReadOnlyList<int> Windows => RicsWindows ?? [];

    public IReadOnlyList<RicsScore> Scores => RicsScoreKinds ?? [RicsScore.Hash];

    public bool AnyRics => Windows.Count > 0 || RicsCyclic;

    public DecodeLimits DecodeLimits => Limits ?? new DecodeLimits();

    public IEnumerable<Shift> RealisticShifts => WindowK > 0 ? ShiftSets.N1.Concat(ShiftSets.Window(WindowK)) : ShiftSets.N1;
}
