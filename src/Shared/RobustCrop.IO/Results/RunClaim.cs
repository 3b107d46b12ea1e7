using System.Text;
using RobustCrop.Core.Results;
using RobustCrop.Core.Settings;
using RobustCrop.IO.Storage;

namespace RobustCrop.IO.Results;

/// <summary>
/// Claims a run id for a plan. The stored plan (<c>_plan.json</c>) is the claim: it is written with a create-only write
/// (<see cref="IResultStore.CreateAsync"/>), so of two starts of one run id at the same instant exactly one stores its
/// plan; the other reads that plan back and goes on only if it is the same work (a resume), else stops with one line.
/// A stored plan is never replaced: a second start with other options before the first shard finished would otherwise
/// take over the run and mix its rows with the first start's.
/// </summary>
public static class RunClaim
{
    /// <summary>True when the run was already claimed with the same plan (a resume), false when this start claimed it.</summary>
    /// <exception cref="RunPlanMismatchException">The run is claimed with another plan: one line naming each difference.</exception>
    public static async Task<bool> ClaimOrResumeAsync(IResultStore store, RunLayout layout, RunPlan plan, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(plan);
        byte[] json = Encoding.UTF8.GetBytes(RunStateIo.Serialize(plan));
        if (await store.CreateAsync(layout.Plan, s => s.WriteAsync(json, ct).AsTask(), ct).ConfigureAwait(false))
            return false;
        var stored = await RunStateIo.ReadPlanAsync(store, layout, ct).ConfigureAwait(false)
            ?? throw new InvalidDataException($"{layout.Plan} exists but cannot be read back from {store.Describe()}");
        var differences = stored.Differences(plan);
        if (differences.Length > 0)
            throw new RunPlanMismatchException(
                $"run '{layout.RunId}' was started with another plan ({string.Join("; ", differences)}): resume it with its first options, or use a new --run-id");
        return true;
    }
}
