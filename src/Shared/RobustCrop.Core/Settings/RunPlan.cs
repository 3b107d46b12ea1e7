using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Serialization;
using RobustCrop.Core.Data;

namespace RobustCrop.Core.Settings;

/// <summary>
/// What a run is: stored in the run (<c>_plan.json</c>) at its first start, so a resume with the same run id can prove it
/// continues the same work. Shard ids and ranges depend on the data, shard size and limit; the rows depend on the models
/// and metric settings. A resume whose plan differs would silently mix or skip work, so it is refused.
/// </summary>
/// <param name="Data">The data spec with local paths made absolute (a resume may start in another directory).</param>
/// <param name="Models">The zoo models that run, as resolved (an empty <c>--model</c> means all of the zoo).</param>
/// <param name="Rics">The RICS settings in their command-line form, e.g. "hash,dog n=1,9 cyclic".</param>
/// <param name="Shards">Shards of the plan: <c>aggregate</c> reports a run with fewer manifests as unfinished.</param>
/// <param name="Inputs">Inputs of the plan where known (−1 where some shard's size is known only once read).</param>
/// <param name="ModelFingerprints">Per model id, hashes of what determines its outputs: its zoo entry as resolved and its
/// files (ONNX, head). A changed zoo entry under the same id (resize 256 → 240) would otherwise resume silently.</param>
/// <param name="InputsListing">The inputs' listing (names, sizes, modification times or ETags), see <see cref="DataListing"/>.</param>
public sealed record RunPlan(
    [property: JsonPropertyName("data")] string Data,
    [property: JsonPropertyName("dataset")] string Dataset,
    [property: JsonPropertyName("shard_size")] int ShardSize,
    [property: JsonPropertyName("limit")] int Limit,
    [property: JsonPropertyName("models")] ImmutableArray<string> Models,
    [property: JsonPropertyName("tau")] double Tau,
    [property: JsonPropertyName("window_k")] int WindowK,
    [property: JsonPropertyName("rics")] string Rics,
    [property: JsonPropertyName("keep_embeddings")] bool KeepEmbeddings,
    [property: JsonPropertyName("max_pixels")] long MaxPixels,
    [property: JsonPropertyName("shards")] int Shards,
    [property: JsonPropertyName("inputs")] long Inputs,
    [property: JsonPropertyName("captions")] bool Captions = false,
    [property: JsonPropertyName("model_fingerprints")] ImmutableSortedDictionary<string, ModelFingerprint>? ModelFingerprints = null,
    [property: JsonPropertyName("inputs_listing")] DataListing? InputsListing = null,
    [property: JsonPropertyName("motion")] string? Motion = null)
{
    /// <summary>What <paramref name="now"/> changes against this (stored) plan, one "option: stored → now" item per
    /// difference, in command-line terms; empty when the plans describe the same work. Model order does not matter.</summary>
    public ImmutableArray<string> Differences(RunPlan now)
    {
        ArgumentNullException.ThrowIfNull(now);
        var d = ImmutableArray.CreateBuilder<string>();
        void Check<T>(string option, T stored, T current, Func<T, string>? show = null)
        {
            if (!EqualityComparer<T>.Default.Equals(stored, current))
                d.Add($"{option} {(show ?? Show)(stored)} → {(show ?? Show)(current)}");
        }
        Check("--data", Data, now.Data);
        Check("--shard-size", ShardSize, now.ShardSize);
        Check("--limit", Limit, now.Limit);
        Check("--model", string.Join(',', Models.Order(StringComparer.Ordinal)), string.Join(',', now.Models.Order(StringComparer.Ordinal)));
        Check("--tau", Tau, now.Tau);
        Check("--window", WindowK, now.WindowK);
        Check("--rics", Rics, now.Rics);
        Check("--keep-embeddings", KeepEmbeddings, now.KeepEmbeddings);
        Check("pixel limit", MaxPixels, now.MaxPixels);
        Check("--captions", Captions, now.Captions);
        Check("--motion", Motion ?? "", now.Motion ?? "");
        // Plans stored before fingerprints have none: nothing to compare.
        foreach (var (id, stored) in ModelFingerprints ?? ImmutableSortedDictionary<string, ModelFingerprint>.Empty)
        {
            if (now.ModelFingerprints?.GetValueOrDefault(id) is not { } current || current == stored) continue;
            d.Add(stored.Manifest != current.Manifest ? $"model {id}: its zoo entry changed" : $"model {id}: its model file changed");
        }
        if (InputsListing is { } listed && now.InputsListing is { } listing && listed != listing)
            d.Add($"--data {listed} → {listing}" + (listed.Files == listing.Files && listed.Bytes == listing.Bytes
                ? " (names or modification times changed)" : " (files added, removed or resized)"));
        // Same options over changed data (a file added to a folder) plan other shards.
        if (d.Count == 0) Check("shards planned", Shards, now.Shards);
        return d.ToImmutable();
    }

    /// <summary>The plan of <paramref name="run"/> over a dataset named <paramref name="dataset"/>.</summary>
    public static RunPlan Of(RunSettings run, string absoluteData, string dataset, IEnumerable<string> models, int shards, long inputs)
    {
        ArgumentNullException.ThrowIfNull(run);
        var rics = run.Rics;
        string ricsText = rics.Any
            ? string.Join(',', rics.Scores.Select(RobustCrop.Core.Rics.RicsScores.Name)) + " n=" + string.Join(',', rics.Windows)
              + (rics.WindowFrames ? " window-frames" : "") + string.Create(CultureInfo.InvariantCulture, $" seed={rics.Seed:x}")
            : "none";
        return new RunPlan(absoluteData, dataset, run.ShardSize, run.Limit, [.. models], run.Tau, run.WindowK, ricsText,
            run.KeepEmbeddings, run.DecodeLimits.MaxPixels, shards, inputs, run.KeepCaptions,
            Motion: string.Join(',', run.Motion.Select(m => m.Name)));
    }

    private static string Show<T>(T value) => value switch
    {
        null => "(none)",
        string s when s.Length == 0 => "(none)",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}

/// <summary>SHA-256 of a model's zoo entry as resolved (<paramref name="Manifest"/>) and of its files (<paramref name="Files"/>:
/// the ONNX graph and weights, its head).</summary>
public sealed record ModelFingerprint(
    [property: JsonPropertyName("manifest")] string Manifest,
    [property: JsonPropertyName("files")] string Files);
