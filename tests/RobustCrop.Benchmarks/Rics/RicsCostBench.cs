using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using RobustCrop.Core.Geometry;
using RobustCrop.Core.Rics;

namespace RobustCrop.Benchmarks.Rics;

/// <summary>
/// What scoring costs next to classifying, side by side on one core: every realistic score over all candidates of the
/// base frame and its 8 one-pixel neighbours (the evaluate workload: one selector, 9 selections), against one forward
/// pass of the shipped ResNet18 at 224 (batch 1, one intra-op thread), the two alternated round by round.
/// </summary>
public static class RicsCostBench
{
    public sealed record Figure(string Score, int Window, double ScoringMs, double ForwardMs);

    public static IReadOnlyList<Figure> Run(IReadOnlyList<(RgbImage Scene, SceneGeometry Geometry)> scenes, int window, int rounds = 5)
    {
        string model = Path.Combine(AppContext.BaseDirectory, "models", "ResNet18Onnx", "ResNet18.onnx");
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        using var session = new InferenceSession(model, options);
        var input = session.InputMetadata.First();
        int[] dims = [.. input.Value.Dimensions.Select(d => d < 0 ? 1 : d)];
        var tensor = new DenseTensor<float>(dims);
        var rng = new Random(1);
        for (int i = 0; i < tensor.Length; i++) tensor.SetValue(i, (float)(rng.NextDouble() * 255));
        var feeds = new[] { NamedOnnxValue.CreateFromTensor(input.Key, tensor) };
        var frames = ShiftSets.N1.Prepend(Shift.Zero).ToArray();
        using (session.Run(feeds)) { }
        foreach (var score in RicsScores.Realistic) Score(scenes, window, score, frames); // warm-up: JIT and pools

        var totals = RicsScores.Realistic.ToDictionary(s => s, _ => 0.0);
        double forward = 0;
        int forwards = 0;
        for (int r = 0; r < rounds; r++)
        {
            var sw = Stopwatch.StartNew();
            using (session.Run(feeds)) { }
            forward += sw.Elapsed.TotalMilliseconds;
            forwards++;
            foreach (var score in RicsScores.Realistic)
            {
                sw.Restart();
                Score(scenes, window, score, frames);
                totals[score] += sw.Elapsed.TotalMilliseconds / scenes.Count;
                sw.Restart();
                using (session.Run(feeds)) { }
                forward += sw.Elapsed.TotalMilliseconds;
                forwards++;
            }
        }
        return [.. RicsScores.Realistic.Select(s => new Figure(RicsScores.Name(s), window, totals[s] / rounds, forward / forwards))];
    }

    private static void Score(IReadOnlyList<(RgbImage Scene, SceneGeometry Geometry)> scenes, int window, RicsScore score, Shift[] frames)
    {
        foreach (var (scene, g) in scenes)
        {
            var selector = new RicsSelector(scene, g.Base, g.CropSize, window, 1, RicsSelection.DefaultSeed);
            foreach (var f in frames) selector.Select(window, score, f);
        }
    }
}
