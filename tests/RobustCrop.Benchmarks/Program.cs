using System.Globalization;

namespace RobustCrop.Benchmarks;

/// <summary>
/// Prints the crop writer's and the resizer's times against their scalar references (the figures quoted in CropWriter and
/// SceneResizer), and the decode's; with <c>onnx</c> first, the ONNX protobuf comparison instead (<see cref="Onnx.OnnxProtoBench"/>);
/// with <c>cut-photos</c> first, the natural-photo bench set is cut instead (<see cref="PhotoCutter"/>); with <c>rcc-extract</c>,
/// files are taken out of Qt resource files for it (<see cref="RccExtractor"/>); with <c>rics-nn</c>,
/// hash RICS's nn_changed_1px of a finished run (<see cref="RicsNearestNeighbour"/>); with <c>rics-flips</c>, every mode's
/// nearest-neighbour changes of a finished run, neighbour by neighbour (<see cref="Rics.RicsFlips"/>);
/// with <c>rics-modes</c>, what combining RICS modes cost against a forward pass (<see cref="RicsModeBench"/>);
/// with <c>motion</c>, the cost of one moved view (<see cref="MotionBench"/>).
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args is ["onnx", .. var rest]) return Onnx.OnnxProtoBench.Run(rest, Console.Out);
        if (args is ["cut-photos", .. var cut]) return PhotoCutter.Run(cut, Console.Out, Console.Error);
        if (args is ["rcc-extract", .. var rcc]) return RccExtractor.Run(rcc, Console.Out, Console.Error);
        if (args is ["rics-nn", .. var nn]) return RicsNearestNeighbour.RunAsync(nn, Console.Out, Console.Error).GetAwaiter().GetResult();
        if (args is ["rics-flips", .. var flips]) return Rics.RicsFlips.RunAsync(flips, Console.Out, Console.Error).GetAwaiter().GetResult();
        if (args is ["rics-modes", ..])
        {
            foreach (var f in RicsModeBench.Run())
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"rics {f.Mode} n=9: combination (hash field, members, weights, weighted mean of the outputs) {f.CombinationMs:F3} ms/frame for {f.Members:F1} members; one ResNet18 forward (224², 1 thread) {f.ForwardMs:F1} ms; ratio {100 * f.CombinationMs / f.ForwardMs:F2}%"));
            return 0;
        }
        if (args is ["rics-motion", .. var motion]) return Rics.RicsMotionBench.Run(motion, Console.Out);
        if (args is ["motion", .. var motionArgs]) return Motion.MotionBench.Run(motionArgs, Console.Out);
        int crops = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2000;
        double fast = CropWriterBench.Run(crops);
        double reference = CropWriterBench.Run(crops, reference: true);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"crop writer: {fast:F3} ms/crop, scalar reference: {reference:F3} ms/crop, speed-up {reference / fast:F2}x ({crops} crops of 224², ImageNet normalisation, N1 rolls)"));
        double bytes = CropWriterBench.Run(crops, CropWriterBench.Variant.Bytes);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"byte crops (normalised in the graph): {bytes:F3} ms/crop, {fast / bytes:F1}x faster than the float crop writer ({crops} crops of 224², N1 rolls)"));
        foreach (var (layout, type) in new[] { (TensorLayout.Nchw, InputElementType.Float32), (TensorLayout.Nhwc, InputElementType.Float32),
                     (TensorLayout.Nchw, InputElementType.Float16), (TensorLayout.Nhwc, InputElementType.Float16) })
        {
            double ms = InputPackingBench.Run(layout, type, crops);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"input packing {layout.ToString().ToLowerInvariant()} {type.ToString().ToLowerInvariant()}: {ms:F3} ms/crop (224², batches of 16)"));
        }
        var prep = PrepareBench.Run();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"prepare, per sample photo ({prep.Images} photos): decode {prep.DecodeMs:F2} ms; resize to 256 bilinear {prep.BilinearMs:F2} ms (scalar reference {prep.BilinearReferenceMs:F2}, {prep.BilinearReferenceMs / prep.BilinearMs:F2}x); to 224 bicubic {prep.BicubicMs:F2} ms (scalar reference {prep.BicubicReferenceMs:F2}, {prep.BicubicReferenceMs / prep.BicubicMs:F2}x)"));
        return 0;
    }
}
