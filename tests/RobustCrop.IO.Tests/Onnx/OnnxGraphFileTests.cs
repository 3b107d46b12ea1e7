using System.Runtime.InteropServices;
using RobustCrop.IO.Onnx;

namespace RobustCrop.IO.Tests.Onnx;

public sealed class OnnxGraphFileTests : IDisposable
{
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    private static readonly float[] Big = [.. Enumerable.Range(0, 12_000).Select(i => i * 0.5f)]; // 48 KB
    private static readonly float[] Small = [1f, 2f, 3f];

    private static byte[] Model() => new OnnxGraphBuilder()
        .AddInput("x", "batch", 12_000)
        .AddOutput("y", "batch", 12_000)
        .AddInitializer("big", [12_000], Big)
        .AddInitializer("small", [3], Small)
        .AddInitializer("packed", [12_000], Big, rawData: false)
        .AddNode("Mul", ["x", "big"], ["y"])
        .ToBytes();

    [Fact]
    public void Large_raw_data_becomes_a_reference_to_the_file_itself_and_everything_else_stays()
    {
        byte[] original = Model();
        string path = _tmp.File("m.onnx", original);
        byte[] graph = OnnxGraphFile.ReadGraph(path);

        var reference = Assert.Single(OnnxExternalData.References(graph));
        Assert.Equal(("big", "m.onnx", 48_000L), (reference.Initializer, reference.Location, reference.Length!.Value));
        // The reference points at exactly the tensor's bytes in the file.
        Assert.Equal(Big, MemoryMarshal.Cast<byte, float>(original.AsSpan((int)reference.Offset, 48_000)).ToArray());
        Assert.True(graph.Length < original.Length - 48_000 + 512, $"graph is {graph.Length} bytes of {original.Length}");
        Assert.Equal(Small, OnnxModelSurgery.ReadFloatInitializer(graph, "small").Data);   // small raw_data embedded
        Assert.Equal(Big, OnnxModelSurgery.ReadFloatInitializer(graph, "packed").Data);    // float_data untouched
        var (a, b) = (OnnxModelSurgery.Inspect(original), OnnxModelSurgery.Inspect(graph));
        Assert.Equal((a.Inputs.Single().ToString(), a.Outputs.Single().ToString(), a.InitializerCount, a.NodeCount),
            (b.Inputs.Single().ToString(), b.Outputs.Single().ToString(), b.InitializerCount, b.NodeCount));
    }

    [Fact]
    public void A_model_with_no_large_raw_data_reads_back_byte_for_byte()
    {
        byte[] original = new OnnxGraphBuilder().AddInput("x", 1, 3).AddOutput("y", 1, 3).AddInitializer("w", [3], Small)
            .AddNode("Mul", ["x", "w"], ["y"]).ToBytes();
        Assert.Equal(original, OnnxGraphFile.ReadGraph(_tmp.File("s.onnx", original)));
    }

    [Fact]
    public void A_truncated_file_is_invalid_data_not_a_crash()
    {
        byte[] original = Model();
        string path = _tmp.File("t.onnx", original[..(original.Length / 2)]);
        Assert.Throws<InvalidDataException>(() => OnnxGraphFile.ReadGraph(path));
    }
}
