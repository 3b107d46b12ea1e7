using RobustCrop.Core.Geometry;
using RobustCrop.IO.Data;
using RobustCrop.IO.Results;

namespace RobustCrop.Benchmarks.Rics;

/// <summary>
/// What the offline RICS analyses (rics-nn, rics-flips) read from a finished local run that kept its embeddings: every
/// realistic crop's normalised output per model, and the scenes prepared as the worker prepares them (decode, shorter side
/// resized to R bilinear), so RICS selections and members can be recomputed with the product's own classes.
/// </summary>
public static class KeptRun
{
    /// <summary>The run's models (the crops/model=&lt;m&gt; partitions), in name order.</summary>
    public static IEnumerable<(string Model, string Dir)> Models(string run)
        => Directory.GetDirectories(Path.Combine(run, "crops")).Order(StringComparer.Ordinal)
            .Select(d => (Path.GetFileName(d)["model=".Length..], d));

    /// <summary>Every realistic crop's kept embedding of one model's partition, by image key and top-left.</summary>
    public static async Task<Dictionary<(string Key, int X, int Y), float[]>> VectorsAsync(string modelDir)
    {
        var vectors = new Dictionary<(string Key, int X, int Y), float[]>();
        foreach (var file in Directory.GetFiles(modelDir, "*.parquet").Order(StringComparer.Ordinal))
        {
            await using var input = File.OpenRead(file);
            foreach (var r in await ResultParquet.ReadCropRowsAsync(input))
                if (r.Kind == "realistic" && r.Embedding is { } e) vectors[(r.ImageKey, r.X, r.Y)] = e;
        }
        return vectors;
    }

    /// <summary>The data's decodable inputs as scenes of shorter side <paramref name="resize"/> with their crop geometry.</summary>
    public static IEnumerable<(string Key, RgbImage Scene, SceneGeometry Geometry)> Scenes(string data, int resize, int crop)
    {
        var dataset = DatasetFactory.Open(data);
        foreach (var shard in dataset.PlanShards(256))
            foreach (var record in dataset.ReadShard(shard))
            {
                var source = record.Raw ?? (record.Encoded is { } bytes ? IO.Imaging.ImageDecoder.Decode(bytes.Span, DecodeLimits.Default).Image : null);
                if (source is null) continue;
                var scene = SceneResizer.ResizeShorterSide(source, resize, Interpolation.Bilinear);
                yield return (record.Key, scene, new SceneGeometry(scene.Width, scene.Height, resize, crop));
            }
    }

    /// <summary>"--name value" pairs; null when an option has no value.</summary>
    public static Dictionary<string, string>? Pairs(string[] args)
    {
        if (args.Length % 2 != 0) return null;
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i + 1 < args.Length; i += 2) map[args[i]] = args[i + 1];
        return map;
    }
}
