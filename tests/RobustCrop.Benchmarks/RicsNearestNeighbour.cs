using System.Globalization;
using RobustCrop.Core.Geometry;
using RobustCrop.Core.Metrics;
using RobustCrop.Core.Rics;

namespace RobustCrop.Benchmarks;

/// <summary>
/// Baseline figure the product does not report yet (issue 21 asks for it): hash RICS's <c>nn_changed_1px</c>, read from a
/// finished local run that kept its embeddings. The RICS embedding of a frame is the kept embedding of the crop that frame
/// selects; the selections are recomputed here with the product's own <see cref="RicsSelector"/> on the scene prepared as
/// the worker prepares it (decode, shorter side resized to R). The gallery is the RICS base-frame embeddings of the other
/// images (<see cref="NearestNeighbourChange"/>, as for the plain model). As checks, it also prints the plain model's
/// nn_changed_1px and the RICS changed_1px recomputed from the same vectors, to compare with the run's summary.json.
/// </summary>
/// <remarks>Assumes every model of the run resizes the shorter side to <c>--resize</c> (bilinear) and crops <c>--crop</c>,
/// as the shipped zoo does; a crop the run did not keep stops it with one line (another resize or seed).</remarks>
public static class RicsNearestNeighbour
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var o = Options.Parse(args);
        if (o is null)
        {
            error.WriteLine("usage: rics-nn --run RUN_DIR --data PATHS [--window 9] [--resize 256] [--crop 224] [--tau 0.99] [--seed HEX]");
            return 2;
        }
        var scenes = Selections(o);
        foreach (var (model, modelDir) in Rics.KeptRun.Models(o.Run))
        {
            var vectors = await Rics.KeptRun.VectorsAsync(modelDir);
            var keys = scenes.Keys.Where(k => vectors.ContainsKey((k, scenes[k].Base.X, scenes[k].Base.Y))).Order(StringComparer.Ordinal).ToList();
            float[] At(string key, CropPosition p) => vectors.TryGetValue((key, p.X, p.Y), out var v)
                ? v : throw new InvalidDataException($"{model}: no kept embedding of {key} at ({p.X},{p.Y}); another resize, seed or window?");
            var plainBase = keys.Select(k => At(k, scenes[k].Base)).ToList();
            var ricsBase = keys.Select(k => At(k, scenes[k].Frames[0])).ToList();
            var plainSearch = new NearestNeighbourChange(plainBase);
            var ricsSearch = new NearestNeighbourChange(ricsBase);
            int plainNn = 0, ricsNn = 0, ricsChanged = 0;
            for (int i = 0; i < keys.Count; i++)
            {
                var s = scenes[keys[i]];
                var plainShifted = ShiftSets.N1.Select(d => At(keys[i], new CropPosition(s.Base.X + d.Dx, s.Base.Y + d.Dy))).ToList();
                var ricsShifted = s.Frames.Skip(1).Select(p => At(keys[i], p)).ToList();
                if (plainSearch.Changed(i, plainShifted) == true) plainNn++;
                if (ricsSearch.Changed(i, ricsShifted) == true) ricsNn++;
                if (ricsShifted.Min(v => Cosine(ricsBase[i], v)) < o.Tau) ricsChanged++;
            }
            double n = keys.Count;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{model}: images {keys.Count}; plain nn_changed_1px {plainNn / n:F4}; hash RICS n={o.Window}: changed_1px {ricsChanged / n:F4}, nn_changed_1px {ricsNn / n:F4}"));
        }
        return 0;
    }

    private sealed record Scene(CropPosition Base, List<CropPosition> Frames);

    // Each image's base crop and the crops hash RICS selects for the unshifted frame and the eight N1 frames.
    private static Dictionary<string, Scene> Selections(Options o)
    {
        var result = new Dictionary<string, Scene>(StringComparer.Ordinal);
        foreach (var (key, scene, g) in Rics.KeptRun.Scenes(o.Data, o.Resize, o.Crop))
        {
            var selector = new RicsSelector(scene, g.Base, o.Crop, o.Window, 1, o.Seed);
            var frames = new[] { Shift.Zero }.Concat(ShiftSets.N1).Select(f => selector.Select(o.Window, RicsScore.Hash, f)).ToList();
            if (frames.Any(f => f is null)) continue; // the run has no RICS row for it either
            result[key] = new Scene(g.Base, [.. frames.Select(f => f!.Value.Position)]);
        }
        return result;
    }

    private static double Cosine(float[] a, float[] b)
        => System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(a, b);

    private sealed record Options(string Run, string Data, int Window, int Resize, int Crop, double Tau, ulong Seed)
    {
        public static Options? Parse(string[] args)
        {
            if (Rics.KeptRun.Pairs(args) is not { } map || !map.TryGetValue("--run", out var run) || !map.TryGetValue("--data", out var data)) return null;
            int Int(string name, int fallback) => map.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
            ulong seed = map.TryGetValue("--seed", out var s) ? Convert.ToUInt64(s, 16) : RicsSelection.DefaultSeed;
            double tau = map.TryGetValue("--tau", out var t) ? double.Parse(t, CultureInfo.InvariantCulture) : 0.99;
            return new Options(run, data, Int("--window", 9), Int("--resize", 256), Int("--crop", 224), tau, seed);
        }
    }
}
