using RobustCrop.Core.Imaging;
using RobustCrop.Core.Models;
using RobustCrop.IO.Models;
using RobustCrop.IO.Onnx;
using RobustCrop.Worker.Inference;

namespace RobustCrop.Worker.Tests.Inference;

/// <summary>What the coordinator refuses before any worker loads a model: one line naming the model.</summary>
public sealed class ModelValidationTests : IDisposable
{
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    private ModelManifest Manifest(byte[] onnx, int size, string? headPath = null, OutputKind output = OutputKind.Embedding)
    {
        string path = Path.Combine(_tmp.Path, "model.onnx");
        File.WriteAllBytes(path, onnx);
        return new ModelManifest("tiny", path, null, size, size + 4, Interpolation.Bilinear, ChannelOrder.Rgb, 1f / 255,
            [0f, 0f, 0f], [1f, 1f, 1f], null, output, headPath, null, 0);
    }

    private string Head(int dimension)
    {
        string path = Path.Combine(_tmp.Path, $"head-{dimension}.json");
        HeadFiles.Save(new ClassHead(HeadKind.Prototype, ["a", "b"], dimension, Enumerable.Range(1, 2 * dimension).Select(i => (float)i).ToArray(), null, 10f),
            path, new HeadProvenance("tiny", "test", 2, "test"));
        return path;
    }

    [Fact]
    public void A_head_of_another_dimension_fails_up_front_naming_the_model_and_both_dimensions()
    {
        var m = Manifest(TinyModels.MeanColour(8), 8, Head(5)); // the model outputs 3 values
        var e = Assert.Throws<ModelLoadException>(() => ModelLoader.Validate(m));
        Assert.Equal("model tiny: head head-5.json expects 5-d embeddings, the model outputs 3", e.Message);
        ModelLoader.Validate(m with { HeadPath = Head(3) }); // the right dimension passes
    }

    [Fact]
    public void A_session_made_elsewhere_runs_as_the_manifest_model_with_its_head_or_fails_naming_it()
    {
        // The bench's stand-in: a byte-input session wrapped with the manifest's head and classes.
        byte[] graph = new OnnxGraphBuilder("stand-in")
            .AddByteInput("crops", "batch", 8, 8, 3)
            .AddOutput("output", "batch", 3)
            .AddFirstPixel("crops", "output")
            .ToBytes();
        var m = Manifest(TinyModels.MeanColour(8), 8, Head(3));
        using var model = ModelLoader.Wrap(m, new OnnxSession(graph, DeviceSpec.Cpu, 1, expectedInputSize: 8));
        Assert.Equal(["a", "b"], Enumerable.Range(0, model.Interpreter.ClassCount).Select(model.Interpreter.ClassName));
        // The first pixel's bytes, as floats: what the stand-in reads of each crop.
        var crop = new byte[8 * 8 * 3];
        crop[0] = 10; crop[1] = 20; crop[2] = 30; crop[3] = 99;
        var output = new float[3];
        model.Inference.Run(crop, 1, output);
        Assert.Equal([10f, 20f, 30f], output);

        using var session = new OnnxSession(graph, DeviceSpec.Cpu, 1, expectedInputSize: 8);
        var e = Assert.Throws<ModelLoadException>(() => ModelLoader.Wrap(m with { HeadPath = Head(5) }, session));
        Assert.Equal("model tiny: head expects 5-d embeddings, the model outputs 3", e.Message);
    }

    [Fact]
    public void A_head_on_a_logits_model_fails_up_front()
    {
        var m = Manifest(TinyModels.MeanColour(8), 8, Head(3), OutputKind.Logits);
        Assert.Contains("model tiny: a head applies to embedding outputs only", Assert.Throws<ModelLoadException>(() => ModelLoader.Validate(m)).Message);
    }

    [Fact]
    public void An_absurd_declared_output_fails_up_front_naming_the_model_not_as_an_overflow()
    {
        byte[] absurd = new OnnxGraphBuilder("absurd")
            .AddInput(TinyModels.InputName, "batch", 3, 8, 8)
            .AddOutput("huge", "batch", 100_000, 100_000, 100_000)
            .AddNode("Identity", [TinyModels.InputName], ["huge"])
            .ToBytes();
        var e = Assert.Throws<ModelLoadException>(() => ModelLoader.Validate(Manifest(absurd, 8)));
        Assert.Equal($"model tiny: output 'huge' declares shape [batch,100000,100000,100000], more than {ModelLoader.MaxOutputValues} values per image (or none)", e.Message);
    }

    [Fact]
    public void A_lowpass_radius_over_the_rewrite_limit_fails_up_front()
    {
        var m = Manifest(TinyModels.MeanColour(8), 8) with { LowPassSigma = 30f, LowPassRadius = 90 };
        Assert.Equal("model tiny: lowpass.radius 90 is out of range 1..64", Assert.Throws<ModelLoadException>(() => ModelLoader.Validate(m)).Message);
    }

    [Fact]
    public void Layout_nhwc_on_an_nchw_model_fails_up_front_naming_the_model_id()
    {
        var m = Manifest(ZooModels.IdentityNchw(8), 8) with { InputLayout = TensorLayout.Nhwc };
        Assert.Equal("model tiny: input 'image' is [batch,3,8,8], which is NCHW; remove input.layout: nhwc",
            Assert.Throws<ModelLoadException>(() => ModelLoader.Validate(m)).Message);
    }

    [Fact]
    public void An_output_name_the_model_lacks_fails_up_front_listing_its_outputs()
    {
        var m = Manifest(ZooModels.TwoOutputs(8), 8) with { OutputName = "embeds" };
        Assert.Equal("model tiny: output.name 'embeds' is not one of the model's outputs (mean, pixels)",
            Assert.Throws<ModelLoadException>(() => ModelLoader.Validate(m)).Message);
    }

    [Fact]
    public void A_head_is_checked_against_the_pooled_dimension_of_a_token_output()
    {
        // [batch, 5, 6] tokens pool to 6-d embeddings: a 6-d head fits, a 30-d one (tokens x D) does not.
        byte[] tokens = new OnnxGraphBuilder("tokens")
            .AddInput(TinyModels.InputName, "batch", 3, 8, 8)
            .AddOutput("tokens", "batch", 5, 6)
            .AddInt64Initializer("shape", [3], [0, 5, 6])
            .AddInt64Initializer("starts", [1], [0])
            .AddInt64Initializer("ends", [1], [30])
            .AddInt64Initializer("axes", [1], [1])
            .AddNode("Flatten", [TinyModels.InputName], ["flat"], OnnxAttribute.Int("axis", 1))
            .AddNode("Slice", ["flat", "starts", "ends", "axes"], ["first30"])
            .AddNode("Reshape", ["first30", "shape"], ["tokens"])
            .ToBytes();
        ModelLoader.Validate(Manifest(tokens, 8, Head(6)));
        Assert.Equal("model tiny: head head-30.json expects 30-d embeddings, the model outputs 6",
            Assert.Throws<ModelLoadException>(() => ModelLoader.Validate(Manifest(tokens, 8, Head(30)))).Message);
        using var loaded = ModelLoader.Load(Manifest(tokens, 8, Head(6)), DeviceSpec.Cpu, 1);
        Assert.Equal(6, loaded.Inference.OutputDimension);
    }
}
