using System.Diagnostics;
using Google.Protobuf;
using RobustCrop.Benchmarks.Onnx.Generated;
using RobustCrop.IO.Onnx;

namespace RobustCrop.Benchmarks.Onnx;

/// <summary>
/// The rewrite every load does (batch made symbolic, value_info dropped; <see cref="OnnxModelSurgery.MakeBatchSymbolic"/>)
/// on the weight-less graph that <see cref="OnnxGraphFile"/> returns: the hand-written splice against the same rewrite
/// written with generated classes (parse, edit, serialise). Both results are parsed back and must be equal messages.
/// </summary>
public static class OnnxRewriteVariants
{
    public sealed record Figures(double HandWrittenMs, long HandWrittenBytes, double GeneratedMs, long GeneratedBytes, int GraphBytes, bool Equal);

    public static Figures Measure(byte[] graph, int rounds)
    {
        byte[] hand = HandWritten(graph), generated = Generated(graph);
        bool equal = ModelProto.Parser.ParseFrom(hand).Equals(ModelProto.Parser.ParseFrom(generated));
        // Alternated in one sitting, as the machine is shared: three passes each, the best kept.
        var (hMs, hBytes, gMs, gBytes) = (double.MaxValue, 0L, double.MaxValue, 0L);
        for (int pass = 0; pass < 3; pass++)
        {
            var h = Time(() => HandWritten(graph), rounds);
            var g = Time(() => Generated(graph), rounds);
            (hMs, hBytes) = h.Ms < hMs ? h : (hMs, hBytes);
            (gMs, gBytes) = g.Ms < gMs ? g : (gMs, gBytes);
        }
        return new Figures(hMs, hBytes, gMs, gBytes, graph.Length, equal);
    }

    private static byte[] HandWritten(byte[] graph)
    {
        byte[] rewritten = OnnxModelSurgery.MakeBatchSymbolic(graph);
        OnnxModelSurgery.Inspect(rewritten);
        return rewritten;
    }

    // The glue generated classes would need for this rewrite: what it costs in lines is the point of writing it out.
    private static byte[] Generated(byte[] graph)
    {
        var model = ModelProto.Parser.ParseFrom(graph);
        var g = model.Graph ?? throw new InvalidDataException("ONNX model has no graph");
        var initializers = g.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        g.ValueInfo.Clear();
        foreach (var io in g.Input.Where(i => !initializers.Contains(i.Name)).Concat(g.Output))
        {
            if (io.Type?.TensorType?.Shape is { Dim.Count: > 0 } shape)
            {
                shape.Dim[0] = new TensorShapeProto.Types.Dimension { DimParam = "batch", Denotation = shape.Dim[0].Denotation };
            }
        }
        byte[] rewritten = model.ToByteArray();
        ModelProto.Parser.ParseFrom(rewritten);
        return rewritten;
    }

    private static (double Ms, long Bytes) Time(Func<byte[]> rewrite, int rounds)
    {
        rewrite();
        GC.Collect();
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        var sw = Stopwatch.StartNew();
        for (int r = 0; r < rounds; r++) rewrite();
        return (sw.Elapsed.TotalMilliseconds / rounds, (GC.GetTotalAllocatedBytes(precise: true) - allocated) / rounds);
    }
}
