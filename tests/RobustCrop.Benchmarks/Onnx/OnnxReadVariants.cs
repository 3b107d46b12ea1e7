using System.Diagnostics;
using Google.Protobuf;
using RobustCrop.Benchmarks.Onnx.Generated;
using RobustCrop.IO.Onnx;

namespace RobustCrop.Benchmarks.Onnx;

/// <summary>
/// The ways of reading a model file's graph that <see cref="OnnxProtoBench"/> weighs, each run alone in a fresh process so
/// that its peak working set is its own. Every variant returns the node count, so the runs can be checked to have read
/// the same graph.
/// </summary>
public static class OnnxReadVariants
{
    public static readonly string[] Names = ["handwritten", "generated-full", "generated-graph-only", "generated-graph-only-discard"];

    public sealed record Figures(string Variant, double Ms, long AllocatedBytes, long PeakWorkingSet, long StartWorkingSet, int Nodes);

    /// <summary>One untimed read (JIT, page cache), then <paramref name="rounds"/> timed ones; bytes allocated per read.</summary>
    public static Figures Measure(string variant, string path, int rounds)
    {
        long start = Environment.WorkingSet;
        Func<string, int> read = variant switch
        {
            "handwritten" => HandWritten,
            "generated-full" => p => Parse(ModelProto.Parser, p, m => m.Graph.Node.Count),
            "generated-graph-only" => p => Parse(GraphOnlyModelProto.Parser, p, m => m.Graph.Node.Count),
            "generated-graph-only-discard" => p => Parse(GraphOnlyModelProto.Parser.WithDiscardUnknownFields(true), p, m => m.Graph.Node.Count),
            _ => throw new ArgumentException($"unknown variant '{variant}' (one of {string.Join(", ", Names)})", nameof(variant)),
        };
        int nodes = read(path);
        GC.Collect();
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        var sw = Stopwatch.StartNew();
        for (int r = 0; r < rounds; r++) read(path);
        double ms = sw.Elapsed.TotalMilliseconds / rounds;
        long perRead = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / rounds;
        using var self = Process.GetCurrentProcess();
        return new Figures(variant, ms, perRead, self.PeakWorkingSet64, start, nodes);
    }

    // What production does: the streaming pass that leaves weights in the file, then the graph's facts from the kilobytes.
    private static int HandWritten(string path) => OnnxModelSurgery.Inspect(OnnxGraphFile.ReadGraph(path)).NodeCount;

    private static int Parse<T>(MessageParser<T> parser, string path, Func<T, int> nodes) where T : IMessage<T>
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return nodes(parser.ParseFrom(stream));
    }
}
