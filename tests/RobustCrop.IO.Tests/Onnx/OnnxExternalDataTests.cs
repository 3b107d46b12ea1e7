using RobustCrop.IO.Onnx;

namespace RobustCrop.IO.Tests.Onnx;

public sealed class OnnxExternalDataTests : IDisposable
{
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    private static byte[] Model(string location = "model.onnx.data") => new OnnxGraphBuilder()
        .AddInput("x", 1, 3, 4, 4)
        .AddOutput("y", 1, 48)
        .AddExternalInitializer("w", [1, 48], location, offset: 128)
        .AddInitializer("b", [1], [2f])
        .AddNode("Flatten", ["x"], ["flat"], OnnxAttribute.Int("axis", 1))
        .AddNode("Mul", ["flat", "w"], ["y0"])
        .AddNode("Add", ["y0", "b"], ["y"])
        .ToBytes();

    [Fact]
    public void References_lists_only_the_external_initializers_with_location_offset_and_length()
    {
        Assert.Equal([new ExternalTensor("w", "model.onnx.data", 128, 48 * 4)], OnnxExternalData.References(Model()));
    }

    [Fact]
    public void The_graph_rewrites_keep_the_references_byte_for_byte()
    {
        byte[] rewritten = OnnxModelSurgery.PrependGaussianLowPass(OnnxModelSurgery.MakeBatchSymbolic(Model()), 1f, 2);
        Assert.Equal(OnnxExternalData.References(Model()), OnnxExternalData.References(rewritten));
        Assert.Equal(3, OnnxModelSurgery.Inspect(rewritten).InitializerCount); // w, b and the new low-pass kernel
    }

    [Fact]
    public void FirstProblem_names_a_missing_short_or_escaping_file_and_is_null_when_all_are_there()
    {
        var refs = OnnxExternalData.References(Model());
        Assert.Equal($"external data file 'model.onnx.data' (initializer 'w') is missing in {_tmp.Path}", OnnxExternalData.FirstProblem(refs, _tmp.Path));
        _tmp.File("model.onnx.data", new byte[128 + 48 * 4 - 1]);
        Assert.Equal("external data file 'model.onnx.data' (initializer 'w') is 319 bytes, the model reads up to byte 320", OnnxExternalData.FirstProblem(refs, _tmp.Path));
        _tmp.File("model.onnx.data", new byte[128 + 48 * 4]);
        Assert.Null(OnnxExternalData.FirstProblem(refs, _tmp.Path));
        var escaping = OnnxExternalData.References(Model("../weights.bin"));
        Assert.Equal("external data file '../weights.bin' (initializer 'w') must be a path relative to the model's folder", OnnxExternalData.FirstProblem(escaping, _tmp.Path));
    }
}
