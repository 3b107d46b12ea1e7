using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using RobustCrop.Core.Results;
using RobustCrop.Core.Settings;
using RobustCrop.IO.Storage;

namespace RobustCrop.IO.Results;

/// <summary>A resume whose plan differs from the run's stored plan; the message is the one line the user sees.</summary>
public sealed class RunPlanMismatchException(string message) : Exception(message);

/// <summary>A run that is not finished where a finished one is needed (<c>aggregate</c> without --allow-partial).</summary>
public sealed class RunUnfinishedException(string message) : Exception(message);

/// <summary>
/// How far a run got: its stored plan (absent for runs written before plans were stored) and the shards whose manifest
/// exists. Only those shards count: files a shard wrote before it failed are not results.
/// </summary>
public sealed record RunState(RunPlan? Plan, ImmutableArray<ShardManifest> Done, bool Success)
{
    /// <summary>Every store-relative file path the manifests list.</summary>
    public FrozenSet<string> Files { get; } = Done.SelectMany(m => m.Files.Select(f => f.Path)).ToFrozenSet(StringComparer.Ordinal);

    /// <summary>All planned shards have a manifest (without a stored plan: the run wrote _SUCCESS).</summary>
    public bool Finished => Plan is { } p ? Done.Length >= p.Shards : Success;

    /// <summary>"unfinished: k/n shards" (n is "?" for a run without a stored plan).</summary>
    public string Progress => string.Create(CultureInfo.InvariantCulture,
        $"unfinished: {Done.Length}/{(Plan is { } p ? p.Shards.ToString(CultureInfo.InvariantCulture) : "?")} shards");
}

public static class RunStateIo
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Serialize(RunPlan plan) => JsonSerializer.Serialize(plan, Options);

    /// <exception cref="JsonException">Malformed JSON or a missing member.</exception>
    public static RunPlan Deserialize(string json)
        => JsonSerializer.Deserialize<RunPlan>(json, Options) ?? throw new JsonException("_plan.json is JSON null.");

    /// <summary>The stored plan of a run, or null when it has none.</summary>
    public static async Task<RunPlan?> ReadPlanAsync(IResultStore store, RunLayout layout, CancellationToken ct)
    {
        if (!await store.ExistsAsync(layout.Plan, ct).ConfigureAwait(false)) return null;
        string json = await store.ReadTextAsync(layout.Plan, ct).ConfigureAwait(false);
        try
        {
            return Deserialize(json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{layout.Plan} is unreadable: {e.Message}", e);
        }
    }

    /// <summary>Claims the run for <paramref name="plan"/> at its first start; on a resume, compares it with the stored one
    /// (see <see cref="RunClaim"/>). Returns true when the run is resumed (a plan was already stored).</summary>
    /// <exception cref="RunPlanMismatchException">The stored plan differs: one line naming each difference.</exception>
    public static Task<bool> StoreOrCheckPlanAsync(IResultStore store, RunLayout layout, RunPlan plan, CancellationToken ct)
        => RunClaim.ClaimOrResumeAsync(store, layout, plan, ct);

    /// <summary>The run's plan and finished shards (manifests of shards outside the plan are ignored).</summary>
    public static async Task<RunState> ReadAsync(IResultStore store, RunLayout layout, CancellationToken ct)
    {
        var plan = await ReadPlanAsync(store, layout, ct).ConfigureAwait(false);
        var done = await new ShardFiles(store, layout).ReadAllAsync(plan?.Shards, ct).ConfigureAwait(false);
        bool success = await store.ExistsAsync(layout.Success, ct).ConfigureAwait(false);
        return new RunState(plan, done, success);
    }
}
