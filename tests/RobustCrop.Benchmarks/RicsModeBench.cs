using System.Diagnostics;
using RobustCrop.Core.Geometry;
using RobustCrop.Core.Metrics;
using RobustCrop.Core.Models;
using RobustCrop.Core.Rics;
using RobustCrop.IO.Imaging;
using RobustCrop.Worker.Inference;

namespace RobustCrop.Benchmarks;

/// <summary>
/// What a combining RICS mode (DESIGN §5b) costs beside the forwards it combines, per deployed frame of a sample photo's
/// 256-px scene at n = 9: the hash field of the window (scores), the members and their tent weights, and the weighted mean of
/// their outputs (1000 random class probabilities each here) with its renormalisation and prediction; against one forward pass of the shipped ResNet18 on
/// one 224² crop, on one thread (both on this CPU, alternated in one sitting).
/// </summary>
public static class RicsModeBench
{
    public sealed record Figures(string Mode, double CombinationMs, double ForwardMs, double Members);

    public static IReadOnlyList<Figures> Run(int rounds = 30)
    {
        const int crop = 224, n = 9;
        var files = Directory.GetFiles(Path.Combine(RepoPaths.Samples, "photos")).Where(f => !f.EndsWith(".md", StringComparison.Ordinal)).Order().ToList();
        var scenes = files.Select(f => SceneResizer.ResizeShorterSide(ImageDecoder.Decode(File.ReadAllBytes(f), DecodeLimits.Default).Image!, 256, Interpolation.Bilinear)).ToList();
        string resnet = Path.Combine(AppContext.BaseDirectory, "models", "ResNet18Onnx", "ResNet18.onnx");
        using var session = OnnxSessionFactory.Load(resnet, new SessionSpec { Name = "resnet18", Threads = 1, ExpectedInputSize = crop, Normalization = PixelNormalization.ImageNet });
        var input = new byte[3 * crop * crop];
        new Random(1).NextBytes(input);
        int dim = session.OutputDim;
        var interpreter = new OutputInterpreter(OutputKind.Logits, dim, null);
        var outputs = new CropOutputs(n * n, dim, hasClasses: true);
        var raw = new float[dim];
        var scratch = new float[2 * dim];
        var random = new Random(2);
        for (int i = 0; i < n * n; i++)
        {
            for (int d = 0; d < dim; d++) raw[d] = (float)random.NextDouble() * 4;
            interpreter.Interpret(raw, outputs, i, scratch);
        }
        var target = new CropOutputs(1, dim, hasClasses: true);
        var members = new List<(CropPosition Position, float Weight)>();
        var crops = new int[n * n];
        var weights = new float[n * n];
        var result = new List<Figures>();
        foreach (var mode in new[] { RicsMode.Soft(4), RicsMode.Soft(8), RicsMode.Block(2), RicsMode.Rook(4), RicsMode.MeanAll })
        {
            long count = 0;
            double Combination()
            {
                var sw = Stopwatch.StartNew();
                for (int r = 0; r < rounds; r++)
                    foreach (var scene in scenes)
                    {
                        var g = new SceneGeometry(scene.Width, scene.Height, 256, crop);
                        var selector = new RicsSelector(scene, g.Base, crop, n, 0, RicsSelection.DefaultSeed);
                        selector.Members(n, mode, Shift.Zero, members);
                        // The members' outputs stand in from a table of n² (the combination reads, it does not care which).
                        for (int i = 0; i < members.Count; i++) (crops[i], weights[i]) = (i, members[i].Weight);
                        interpreter.Combine(outputs, crops.AsSpan(0, members.Count), weights.AsSpan(0, members.Count), target, 0, scratch);
                        count += members.Count;
                    }
                return sw.Elapsed.TotalMilliseconds / (rounds * scenes.Count);
            }
            double Forward()
            {
                var sw = Stopwatch.StartNew();
                for (int r = 0; r < 3; r++) session.Run(input, 1);
                return sw.Elapsed.TotalMilliseconds / 3;
            }
            Combination();
            Forward();
            count = 0;
            // Alternated, best of three each: the machine is shared.
            double c = double.MaxValue, f = double.MaxValue;
            for (int i = 0; i < 3; i++) { c = Math.Min(c, Combination()); f = Math.Min(f, Forward()); }
            result.Add(new Figures(mode.Name, c, f, (double)count / (3 * rounds * scenes.Count)));
        }
        return result;
    }
}
