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
}
