using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text.Json;
using RobustCrop.Core.Data;
using RobustCrop.Core.Models;
using RobustCrop.Core.Settings;

namespace RobustCrop.IO.Data;

/// <summary>
/// What determines a run's results beyond its options, for its stored plan: each model's zoo entry as resolved and the
/// SHA-256 of its files, and the inputs' listing. A resume whose fingerprint differs is refused, naming the difference.
/// </summary>
public static class RunFingerprint
{
    /// <summary><paramref name="plan"/> with the fingerprints of <paramref name="models"/> and <paramref name="dataset"/>.</summary>
    public static RunPlan Add(RunPlan plan, IEnumerable<ModelManifest> models, IImageDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(dataset);
        return plan with
        {
            ModelFingerprints = models.ToImmutableSortedDictionary(m => m.Id, Of, StringComparer.Ordinal),
            InputsListing = DataListing.Of(dataset.ListFiles()),
        };
    }

    /// <summary>The manifest as JSON (every field that shapes the measurement), and the bytes of its ONNX and head files
    /// (hashed once per start: about a second per GB).</summary>
    public static ModelFingerprint Of(ModelManifest model)
    {
        ArgumentNullException.ThrowIfNull(model);
        string manifest = Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(model)));
        using var files = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var path in new[] { model.OnnxPath, model.HeadPath, model.MeanImage }.OfType<string>())
        {
            if (!File.Exists(path)) continue;
            using var stream = File.OpenRead(path);
            files.AppendData(SHA256.HashData(stream));
        }
        return new ModelFingerprint(manifest, Convert.ToHexStringLower(files.GetHashAndReset()));
    }
}
