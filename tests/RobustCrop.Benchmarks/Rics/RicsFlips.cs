using System.Globalization;
using System.Numerics.Tensors;
using RobustCrop.Core.Geometry;
using RobustCrop.Core.Metrics;
using RobustCrop.Core.Rics;
using RobustCrop.Core.Settings;

namespace RobustCrop.Benchmarks.Rics;

/// <summary>
/// Why nn_changed_1px stays where it does (issue 21): from a finished run that kept every crop's embedding (a run with
/// <c>mean-all</c> keeps all n² candidates of every N1 frame), recomputes each mode's combined output per frame with the
/// product's own <see cref="RicsSelector.Members"/>, the metrics as the product computes them (changed_1px, cosine_1px_min,
/// nn_changed_1px over the mode's own base embeddings, <see cref="NearestNeighbourChange"/>), and for every image whose
/// nearest neighbour changes: the neighbour before and after, whether they are crops of one source photograph (the bench
/// set's crops.txt), and the base embedding's cosine margin between the two. Modes not in the product can be tried offline
/// here before one is wired in: <c>stride&lt;s&gt;</c> is 2×2 members at offsets a, a+s on each axis (a = −⌊s/2⌋; stride1
/// is block2), <c>plain</c> the model's own crop.
/// </summary>
public static class RicsFlips
{
    private const string Usage = "usage: rics-flips --run RUN_DIR --data PATHS --sources crops.txt [--modes plain,select,soft4,block2,mean-all] [--list FILE] [--window 9] [--resize 256] [--crop 224] [--tau 0.99] [--seed HEX]";

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var map = KeptRun.Pairs(args);
        if (map is null || !map.TryGetValue("--run", out var run) || !map.TryGetValue("--data", out var data) || !map.TryGetValue("--sources", out var sourcesFile))
        {
            error.WriteLine(Usage);
            return 2;
        }
        int Int(string name, int fallback) => map.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        int window = Int("--window", 9), resize = Int("--resize", 256), crop = Int("--crop", 224);
        double tau = map.TryGetValue("--tau", out var t) ? double.Parse(t, CultureInfo.InvariantCulture) : 0.99;
        ulong seed = map.TryGetValue("--seed", out var s) ? Convert.ToUInt64(s, 16) : RicsSelection.DefaultSeed;
        var modes = (map.TryGetValue("--modes", out var m) ? m : "plain,select,soft4,block2,mean-all").Split(',', StringSplitOptions.TrimEntries);
        var sources = Sources(sourcesFile);

        // Members per image, mode and frame (frame 0 the base, then N1), as scene top-lefts with weights.
        var frames = new[] { Shift.Zero }.Concat(ShiftSets.N1).ToArray();
        var plans = new Dictionary<string, Dictionary<string, List<(CropPosition P, float W)>[]>>(StringComparer.Ordinal);
        foreach (var (key, scene, g) in KeptRun.Scenes(data, resize, crop))
        {
            RicsSelector selector;
            try { selector = new RicsSelector(scene, g.Base, crop, window, 1, seed); }
            catch (ArgumentException) { continue; }
            var perMode = new Dictionary<string, List<(CropPosition, float)>[]>(StringComparer.Ordinal);
            foreach (var mode in modes)
            {
                var perFrame = frames.Select(f => Members(selector, g.Base, window, mode, f)).ToArray();
                if (perFrame.All(x => x is not null)) perMode[mode] = perFrame!;
            }
            if (perMode.Count == modes.Length) plans[key] = perMode;
        }

        var list = map.TryGetValue("--list", out var listFile) ? new StreamWriter(listFile) : null;
        list?.WriteLine("model\tmode\timage\tsource\tshift\tnn_before\tsource_before\tnn_after\tsource_after\tsame_photo\tmargin\tcos_between\tcos_1px");
        foreach (var (model, dir) in KeptRun.Models(run))
        {
            var vectors = await KeptRun.VectorsAsync(dir);
            var keys = plans.Keys.Where(k => plans[k].Values.All(f => f.All(x => x.All(c => vectors.ContainsKey((k, c.P.X, c.P.Y))))))
                .Order(StringComparer.Ordinal).ToList();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{model}: {keys.Count} images ({plans.Count - keys.Count} inputs of the data without every member kept: not in the run), {keys.Select(k => sources.GetValueOrDefault(Name(k), "?")).Distinct().Count()} source photographs"));
            foreach (var mode in modes)
            {
                var combined = keys.Select(k => plans[k][mode].Select(f => Combine(f, c => vectors[(k, c.X, c.Y)])).ToArray()).ToList();
                output.WriteLine(Report(model, mode, keys, combined, sources, tau, list));
            }
        }
        list?.Dispose();
        return 0;
    }

    private static string Report(string model, string mode, List<string> keys, List<float[][]> combined, Dictionary<string, string> sources,
        double tau, StreamWriter? list)
    {
        string Source(int i) => sources.GetValueOrDefault(Name(keys[i]), "?");
        var search = new NearestNeighbourChange([.. combined.Select(c => c[0])]);
        var cosMin = combined.Select(c => c.Skip(1).Min(v => (double)TensorPrimitives.CosineSimilarity(c[0], v))).ToList();
        int flips = 0, samePhoto = 0, sameAsQuery = 0, baseSameSource = 0;
        var margins = new List<double>();
        for (int i = 0; i < keys.Count; i++)
        {
            var q = combined[i];
            int before = search.Nearest(q[0], i);
            if (Source(before) == Source(i)) baseSameSource++;
            for (int f = 1; f < q.Length; f++)
            {
                int after = search.Nearest(q[f], i);
                if (after == before) continue;
                flips++;
                bool same = Source(before) == Source(after);
                if (same) samePhoto++;
                if (same && Source(before) == Source(i)) sameAsQuery++;
                var gb = combined[before][0];
                var ga = combined[after][0];
                double margin = TensorPrimitives.CosineSimilarity(q[0], gb) - TensorPrimitives.CosineSimilarity(q[0], ga);
                margins.Add(margin);
                list?.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{model}\t{mode}\t{keys[i]}\t{Source(i)}\t{f}\t{keys[before]}\t{Source(before)}\t{keys[after]}\t{Source(after)}\t{same}\t{margin:F5}\t{TensorPrimitives.CosineSimilarity(gb, ga):F5}\t{cosMin[i]:F5}"));
                break; // the first shift that changes it: one line per image, as nn_changed_1px counts images
            }
        }
        // How close every image's two nearest neighbours are (the base query's cosine to the first minus to the second):
        // the room a 1-px change has before it swaps them.
        var gaps = new List<double>(keys.Count);
        for (int i = 0; i < keys.Count; i++)
        {
            double first = double.NegativeInfinity, second = double.NegativeInfinity;
            for (int j = 0; j < keys.Count; j++)
            {
                if (j == i) continue;
                double c = TensorPrimitives.Dot(combined[i][0], combined[j][0]);
                if (c > first) (first, second) = (c, first);
                else if (c > second) second = c;
            }
            gaps.Add(first - second);
        }
        gaps.Sort();
        // The same search with the query's own photograph's crops left out of the gallery: how often the neighbour among
        // *other photographs* changes (the study's reading of the metric, where each image is a photograph of its own).
        int otherFlips = 0;
        for (int i = 0; i < keys.Count; i++)
        {
            int NearestOther(float[] v)
            {
                int best = -1; double bestDot = double.NegativeInfinity;
                for (int j = 0; j < keys.Count; j++)
                {
                    if (Source(j) == Source(i)) continue;
                    double d = TensorPrimitives.Dot(v, combined[j][0]);
                    if (d > bestDot) (best, bestDot) = (j, d);
                }
                return best;
            }
            int b0 = NearestOther(combined[i][0]);
            if (combined[i].Skip(1).Any(v => NearestOther(v) != b0)) otherFlips++;
        }
        double n = keys.Count;
        margins.Sort();
        var sorted = cosMin.Order().ToList();
        return string.Create(CultureInfo.InvariantCulture,
            $"  {mode,-9} changed_1px {cosMin.Count(c => c < tau) / n:P1}  cos_1px_min mean {cosMin.Average():F4} p05 {Quantile(sorted, 0.05):F4}  "
            + $"nn_changed_1px {flips / n:P1} ({flips}): same photo {samePhoto} (the query's own {sameAsQuery}), different photos {flips - samePhoto}; "
            + $"margin median {Quantile(margins, 0.5):F4} p90 {Quantile(margins, 0.9):F4}; base nn from the query's photo {baseSameSource / n:P1}; "
            + $"top-2 gap of every image median {Quantile(gaps, 0.5):F4}, under 0.005 {gaps.Count(g => g < 0.005) / n:P1}; "
            + $"nn among other photographs changed {otherFlips / n:P1} ({otherFlips})");
    }

    /// <summary>A mode's members of one frame: the product's modes, or the offline candidates plain, stride&lt;s&gt; and
    /// at:dx_dy+dx_dy+... (equal weights at those offsets).</summary>
    private static List<(CropPosition, float)>? Members(RicsSelector selector, CropPosition basePosition, int window, string mode, Shift f)
    {
        var at = new CropPosition(basePosition.X + f.Dx, basePosition.Y + f.Dy);
        if (mode == "plain") return [(at, 1f)];
        if (mode.StartsWith("stride", StringComparison.Ordinal))
        {
            int stride = int.Parse(mode.AsSpan(6), CultureInfo.InvariantCulture), a = -(stride / 2);
            return [.. from dy in new[] { a, a + stride } from dx in new[] { a, a + stride } select (new CropPosition(at.X + dx, at.Y + dy), 0.25f)];
        }
        if (mode.StartsWith("at:", StringComparison.Ordinal))
        {
            // at:dx_dy+dx_dy+...: equal weights at these offsets from the frame's own crop.
            var offsets = mode[3..].Split('+').Select(o => o.Split('_').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToList();
            return [.. offsets.Select(o => (new CropPosition(at.X + o[0], at.Y + o[1]), 1f / offsets.Count))];
        }
        if (mode.Split("@ramp") is [var reweighted, var ramp])
        {
            // <mode>@ramp<r>: the mode's members re-weighted by a trapezoid f(dx)·f(dy), f(i) = min(1, (h+1−|i|)/r), offsets
            // from the frame's own crop: r = h+1 is soft k's tent, r = 1 equal weights (a weight moves only when a member
            // enters or leaves at the edge).
            var list = Members(selector, basePosition, window, reweighted, f);
            if (list is null) return null;
            double r = double.Parse(ramp, CultureInfo.InvariantCulture), h = (window - 1) / 2;
            double F(int i) => Math.Clamp((h + 1 - Math.Abs(i)) / r, 0, 1);
            var w = list.Select(x => F(x.Item1.X - at.X) * F(x.Item1.Y - at.Y)).ToList();
            double sum = w.Sum();
            return [.. list.Select((x, i) => (x.Item1, (float)(w[i] / sum)))];
        }
        if (mode.StartsWith("anchor-", StringComparison.Ordinal))
        {
            // anchor-<mode>: the mode's members taken around select's choice instead of the frame's own crop.
            var chosen = new List<(CropPosition Position, float Weight)>();
            var inner = Members(selector, basePosition, window, mode[7..], Shift.Zero);
            if (inner is null || !selector.Members(window, RicsMode.Select, f, chosen)) return null;
            var a = chosen[0].Position;
            return [.. inner.Select(x => (new CropPosition(a.X + x.Item1.X - basePosition.X, a.Y + x.Item1.Y - basePosition.Y), x.Item2))];
        }
        var members = new List<(CropPosition Position, float Weight)>();
        return selector.Members(window, RicsMode.Parse(mode), f, members) ? [.. members.Select(x => (x.Position, x.Weight))] : null;
    }

    /// <summary>The combined output as the product forms it for an embedding model: the weighted mean of the normalised
    /// outputs, renormalised.</summary>
    private static float[] Combine(List<(CropPosition P, float W)> members, Func<CropPosition, float[]> at)
    {
        var sum = new float[at(members[0].P).Length];
        foreach (var (p, w) in members)
            TensorPrimitives.MultiplyAdd(at(p), w, sum, sum);
        float norm = TensorPrimitives.Norm(sum);
        if (norm > 0) TensorPrimitives.Divide(sum, norm, sum);
        return sum;
    }

    private static double Quantile(List<double> sorted, double q)
        => sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Floor(q * sorted.Count))];

    private static string Name(string key) => key[(key.LastIndexOf('/') + 1)..];

    /// <summary>crops.txt of the bench set: file → source photograph (tab-separated, a header line).</summary>
    private static Dictionary<string, string> Sources(string file)
        => File.ReadLines(file).Skip(1).Select(l => l.Split('\t')).Where(p => p.Length >= 2)
            .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
}
