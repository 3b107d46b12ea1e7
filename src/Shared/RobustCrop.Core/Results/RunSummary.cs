using System.Text.Json;
using System.Text.Json.Serialization;

namespace RobustCrop.Core.Results;

// summary.json is a stable contract (DESIGN §9): every key is spelled out with JsonPropertyName so a
// rename in C# can never change the file, and values that do not apply are null, never omitted.

/// <summary>summary.json: per-model aggregates of a run. The last three members are additions to
/// the §9 contract (extra properties are allowed).</summary>
public sealed record RunSummary(
    [property: JsonPropertyName("run_id")] string RunId,
    [property: JsonPropertyName("dataset")] string Dataset,
    [property: JsonPropertyName("images")] long Images,
    [property: JsonPropertyName("errors")] long Errors,
    [property: JsonPropertyName("models")] IReadOnlyList<ModelSummary> Models,
    [property: JsonPropertyName("created_utc")] DateTimeOffset? CreatedUtc = null,
    [property: JsonPropertyName("tau")] double? Tau = null,
    [property: JsonPropertyName("window_k")] int? WindowK = null);

/// <param name="Accuracy">Mean over labelled images; null when no image has a label or the model has no classes.</param>
/// <param name="RicsCyclic">Null when cyclic RICS was not evaluated.</param>
/// <param name="Dataset">The source dataset of these rows: a composite run has one entry per model × source dataset.</param>
/// <param name="AccuracyNative">For a model measured with resize.margin: the accuracy of its native preprocessing
/// (centre crop at native R) beside <paramref name="Accuracy"/> in the shifted setting; null for other models.</param>
public sealed record ModelSummary(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("images")] long Images,
    [property: JsonPropertyName("crops_inferred")] long CropsInferred,
    [property: JsonPropertyName("accuracy")] double? Accuracy,
    [property: JsonPropertyName("realistic")] RealisticSummary Realistic,
    [property: JsonPropertyName("cyclic")] CyclicSummary Cyclic,
    [property: JsonPropertyName("rics")] IReadOnlyList<RicsSummary> Rics,
    [property: JsonPropertyName("rics_cyclic")] RicsCyclicSummary? RicsCyclic,
    [property: JsonPropertyName("device")] string? Device = null,
    [property: JsonPropertyName("input_size")] int? InputSize = null,
    [property: JsonPropertyName("resize_size")] int? ResizeSize = null,
    [property: JsonPropertyName("images_with_labels")] long? ImagesWithLabels = null,
    [property: JsonPropertyName("images_without_shifts")] long? ImagesWithoutShifts = null,
    [property: JsonPropertyName("dataset")] string? Dataset = null,
    [property: JsonPropertyName("accuracy_native")] double? AccuracyNative = null)
{
    /// <summary>One entry per <c>--motion</c> spec (DESIGN §4b, §9); null when the run measured no motion.</summary>
    [JsonPropertyName("motion")]
    public IReadOnlyList<MotionSummary>? Motion { get; init; }
}

/// <param name="Consistency1px">Null when the model has no class prediction.</param>
public sealed record RealisticSummary(
    [property: JsonPropertyName("consistency_1px")] double? Consistency1px,
    [property: JsonPropertyName("fooled_1px")] double? Fooled1px,
    [property: JsonPropertyName("fooled_window")] FooledWindowSummary FooledWindow,
    [property: JsonPropertyName("cosine_1px_min")] CosineStats Cosine1pxMin,
    [property: JsonPropertyName("changed_1px")] ChangedSummary Changed1px,
    [property: JsonPropertyName("changed_1px_by_tau")] IReadOnlyList<ChangedSummary>? Changed1pxByTau = null,
    [property: JsonPropertyName("nn_changed_1px")] double? NnChanged1px = null,
    [property: JsonPropertyName("nn_gallery")] NnGallerySummary? NnGallery = null)
{
    /// <summary>The means over measured images of the per-image columns named in <see cref="ModelAccumulator.RealisticMeans"/>,
    /// each under its column's name (<c>"cosine_1px_mean": 0.998</c>), after the fixed keys; null where no image was
    /// measured. A new per-image mean needs no new member here. Read back from JSON, the values are JSON numbers.</summary>
    [JsonExtensionData]
    public Dictionary<string, object?>? Means { get; init; }

    /// <summary>The mean of column <paramref name="name"/>, from a summary built here or read back from JSON.</summary>
    public double? Mean(string name)
        => Means?.GetValueOrDefault(name) switch
        {
            double d => d,
            JsonElement { ValueKind: JsonValueKind.Number } e => e.GetDouble(),
            _ => null,
        };
}

/// <summary>What nn_changed_1px searched: <c>"run"</c> (the run's own base embeddings of the model and dataset, each image
/// skipping itself) or the name of the gallery file given, and how many vectors it held.</summary>
public sealed record NnGallerySummary(
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("size")] int Size)
{
    public const string Run = "run";
}

public sealed record CyclicSummary(
    [property: JsonPropertyName("consistency_1px")] double? Consistency1px,
    [property: JsonPropertyName("fooled_1px")] double? Fooled1px,
    [property: JsonPropertyName("changed_1px")] ChangedSummary Changed1px);

public sealed record FooledWindowSummary(
    [property: JsonPropertyName("k")] int K,
    [property: JsonPropertyName("rate")] double? Rate);

/// <summary>Distribution of the per-image cosine_1px_min over images; null when no image supports a shift.</summary>
public sealed record CosineStats(
    [property: JsonPropertyName("mean")] double? Mean,
    [property: JsonPropertyName("p05")] double? P05,
    [property: JsonPropertyName("min")] double? Min);

public sealed record ChangedSummary(
    [property: JsonPropertyName("tau")] double Tau,
    [property: JsonPropertyName("rate")] double? Rate);

/// <summary>One RICS setting (DESIGN §5).</summary>
/// <param name="BoundConsistencyAxis1px">The proven lower bound (n−1)/(n+1) for a hash score along one axis.</param>
/// <param name="SelectionKeptAxis1px">The measured rate that bound is about: the mean over images of the share of axis 1-px
/// frames that select the base frame's scene crop; null for summaries written before it was measured.</param>
public sealed record RicsSummary(
    [property: JsonPropertyName("window")] int Window,
    [property: JsonPropertyName("score")] string Score,
    [property: JsonPropertyName("consistency_1px")] double? Consistency1px,
    [property: JsonPropertyName("fooled_1px")] double? Fooled1px,
    [property: JsonPropertyName("bound_consistency_axis_1px")] double BoundConsistencyAxis1px,
    [property: JsonPropertyName("accuracy")] double? Accuracy,
    [property: JsonPropertyName("changed_1px")] ChangedSummary Changed1px,
    [property: JsonPropertyName("images")] long? Images = null,
    [property: JsonPropertyName("border_rate")] double? BorderRate = null,
    [property: JsonPropertyName("bound_consistency_1px")] double? BoundConsistency1px = null,
    [property: JsonPropertyName("fooled_window")] FooledWindowSummary? FooledWindow = null,
    [property: JsonPropertyName("selection_kept_axis_1px")] double? SelectionKeptAxis1px = null)
{
    /// <summary>The representation mode (DESIGN §5b); "select" for summaries written before modes existed.</summary>
    [JsonPropertyName("mode")]
    public string Mode { get; init; } = "select";

    /// <summary>Forwards one deployed frame costs: 1 for select, n² for mean-all, about k for soft k (measured mean).</summary>
    [JsonPropertyName("forwards_per_frame")]
    public double? ForwardsPerFrame { get; init; }

    /// <summary>The plain model's representation metrics, computed the same way on this setting's outputs.</summary>
    [JsonPropertyName("cosine_1px_min")]
    public CosineStats? Cosine1pxMin { get; init; }

    [JsonPropertyName("changed_1px_by_tau")]
    public IReadOnlyList<ChangedSummary>? Changed1pxByTau { get; init; }

    /// <summary>nn_changed_1px of this setting's outputs (with --keep-embeddings), searched as the plain model's is; null without.</summary>
    [JsonPropertyName("nn_changed_1px")]
    public double? NnChanged1px { get; init; }
}

/// <param name="Realistic">The canonicalised model under realistic 1-px shifts (DESIGN §9): its consistency is 100% only
/// against cyclic shifts by construction; null in summaries written before it was measured.</param>
public sealed record RicsCyclicSummary(
    [property: JsonPropertyName("consistency_1px")] double? Consistency1px,
    [property: JsonPropertyName("fooled_1px")] double? Fooled1px,
    [property: JsonPropertyName("accuracy")] double? Accuracy,
    [property: JsonPropertyName("images")] long? Images = null,
    [property: JsonPropertyName("identity_rate")] double? IdentityRate = null,
    [property: JsonPropertyName("realistic")] RicsCyclicRealisticSummary? Realistic = null);

/// <summary>rics_cyclic.realistic: each realistically shifted crop (base + Δ in the scene, Δ ∈ N1) canonicalised and compared
/// with the canonical base, by the same rules as the plain model's <c>realistic</c>; a field with no measured image is null.</summary>
public sealed record RicsCyclicRealisticSummary(
    [property: JsonPropertyName("consistency_1px")] double? Consistency1px,
    [property: JsonPropertyName("fooled_1px")] double? Fooled1px,
    [property: JsonPropertyName("cosine_1px_min")] CosineStats Cosine1pxMin,
    [property: JsonPropertyName("changed_1px")] ChangedSummary Changed1px);

public static class RunSummaryIo
{
    private static readonly JsonSerializerOptions Options = CreateOptions();

    /// <summary>Indented JSON with every §9 key present; nulls are written as null.</summary>
    /// <exception cref="ArgumentException">A value is NaN or infinite (JSON cannot hold it, and a made-up
    /// number would break the contract).</exception>
    public static string Serialize(RunSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        return JsonSerializer.Serialize(summary, Options);
    }

    /// <exception cref="JsonException">Malformed JSON, or a key the contract requires is missing.</exception>
    public static RunSummary Deserialize(string json)
        => JsonSerializer.Deserialize<RunSummary>(json, Options)
           ?? throw new JsonException("summary.json is JSON null.");

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions
        {
            WriteIndented = true,
            RespectNullableAnnotations = true,
            RespectRequiredConstructorParameters = true,
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
            // Dataset names join parts with '+'; keep the file readable rather than HTML-safe.
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
