using System.Collections.Immutable;
using System.Text.Json.Serialization;
using RobustCrop.Core.Geometry;
using RobustCrop.Core.Imaging;
using RobustCrop.Core.Rics;

namespace RobustCrop.Core.Settings;

/// <summary>
/// Everything that defines a run, identical on every node: bound from the command line, sent to each worker as the
/// job's payload, and read by the pipeline, so nothing is mapped by hand between copies. Every default is declared
/// here, once. Process-local things (the device, threads, storage credentials) are deliberately not part of it:
/// they differ per node, and secrets never travel in cluster messages.
/// </summary>
/// <remarks>Paths (data, zoo, out) must be valid on every worker: the same machine, or the same mount on every node.</remarks>
public sealed record RunSettings(RunId RunId)
{
    public const double DefaultTau = 0.99;
    public const int DefaultWindowK = 2;
    public const int DefaultBatch = 32;

    /// <summary><see cref="Batch"/> = 0: each worker chooses per (model, device) at load (<c>--batch auto</c>); on a CPU that is <see cref="DefaultBatch"/>.</summary>
    public const int AutoBatch = 0;
    public const int DefaultShardSize = 256;
    public const long DefaultMaxScenePixels = 16_000_000;

    /// <summary>Comma-separated dataset spec (<c>DatasetFactory</c>); empty where the caller feeds records itself.</summary>
    public string Data { get; init; } = "";

    /// <summary>Output location: a folder or az://container/prefix.</summary>
    public string Out { get; init; } = "";

    public string ZooPath { get; init; } = "";

    /// <summary>Zoo models to run; empty: all of them.</summary>
    public ImmutableArray<string> ModelIds { get; init; } = [];

    /// <summary>At most this many inputs (0 = all).</summary>
    public int Limit { get; init; }

    /// <summary>Inputs per shard.</summary>
    public int ShardSize { get; init; } = DefaultShardSize;

    /// <summary>changed_1px threshold on cosine_1px_min.</summary>
    public double Tau { get; init; } = DefaultTau;

    /// <summary>
    /// More thresholds (<c>--tau 0.99,0.95,0.9</c>), after <see cref="Tau"/>: the rows keep changed_1px at <see cref="Tau"/>;
    /// these are counted at aggregation from each image's cosine_1px_min (summary's changed_1px_by_tau).
    /// </summary>
    public ImmutableArray<double> ExtraTaus { get; init; } = [];

    /// <summary><see cref="Tau"/>, then <see cref="ExtraTaus"/>.</summary>
    [JsonIgnore]
    public IReadOnlyList<double> Taus => [Tau, .. ExtraTaus];

    /// <summary>k of the fooled_window set W_k (0 = off).</summary>
    public int WindowK { get; init; } = DefaultWindowK;

    /// <summary>Store each crop's normalised output vector in the crops files.</summary>
    public bool KeepEmbeddings { get; init; }

    /// <summary>Copy img2dataset captions into the images rows (they can be large).</summary>
    public bool KeepCaptions { get; init; }

    /// <summary>Crops per inference call; <see cref="AutoBatch"/>: chosen per model and device by the worker.</summary>
    public int Batch { get; init; } = DefaultBatch;

    public RicsSelection Rics { get; init; } = RicsSelection.None;

    public DecodeLimits DecodeLimits { get; init; } = DecodeLimits.Default;

    /// <summary>A scene larger than this (an extreme aspect ratio) is an error row rather than a memory spike.</summary>
    public long MaxScenePixels { get; init; } = DefaultMaxScenePixels;

    /// <summary>Camera motions beyond integer shifts to measure (<c>--motion</c>, DESIGN §4b); empty: none.</summary>
    public ImmutableArray<Motion.MotionSpec> Motion { get; init; } = [];

    /// <summary>The realistic shifts the crop plan measures: N1, then W_k when k &gt; 0.</summary>
    [JsonIgnore] // derived from WindowK; the serializer skips get-only members, but not get-only sequences
    public IEnumerable<Shift> RealisticShifts => WindowK > 0 ? ShiftSets.N1.Concat(ShiftSets.Window(WindowK)) : ShiftSets.N1;

    // ImmutableArray compares by reference; settings are equal when their values are.
    public bool Equals(RunSettings? other)
        => other is not null && RunId == other.RunId && Data == other.Data && Out == other.Out && ZooPath == other.ZooPath
           && ModelIds.SequenceEqual(other.ModelIds) && Limit == other.Limit && ShardSize == other.ShardSize
           && Tau.Equals(other.Tau) && ExtraTaus.SequenceEqual(other.ExtraTaus) && WindowK == other.WindowK && KeepEmbeddings == other.KeepEmbeddings && KeepCaptions == other.KeepCaptions && Batch == other.Batch
           && Rics.Equals(other.Rics) && DecodeLimits == other.DecodeLimits && MaxScenePixels == other.MaxScenePixels
           && Motion.SequenceEqual(other.Motion);

    public override int GetHashCode() => HashCode.Combine(RunId, Data, Out, ZooPath, Tau, WindowK, Batch, Rics);
}
