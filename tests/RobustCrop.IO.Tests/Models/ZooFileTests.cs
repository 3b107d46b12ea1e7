using RobustCrop.Core.Imaging;
using RobustCrop.Core.Models;
using RobustCrop.IO.Models;

namespace RobustCrop.IO.Tests.Models;

public sealed class ZooFileTests
{
    private const string Yaml = """
        models:
          - id: resnet18
            onnx: builtin:ResNet18Onnx/ResNet18.onnx
            input: { size: 224 }
            resize: { size: 256, interpolation: bilinear }
            normalization: { channel_order: bgr, scale: 1.0, mean_image: builtin:ResNetPrepOnnx/ResNetPreprocess.onnx#MeanImage }
            output: { kind: embedding }
            head: heads/h.json
          - id: vit
            onnx: vit.onnx
            input: { size: 384 }
            resize: { crop_pct: 1.0, interpolation: bicubic }
            lowpass: { sigma: 1.0 }
        """;

    [Fact]
    public void Parses_paths_defaults_and_families()
    {
        var zoo = ZooFile.Parse(Yaml, "/zoo", "/app/models");
        Assert.Equal(["resnet18", "vit"], zoo.Select(m => m.Id));
        var r = zoo[0];
        Assert.Equal("/app/models/ResNet18Onnx/ResNet18.onnx", r.OnnxPath);
        Assert.Equal("/app/models/ResNetPrepOnnx/ResNetPreprocess.onnx#MeanImage", r.MeanImage);
        Assert.Equal("/zoo/heads/h.json", r.HeadPath);
        Assert.Equal(ChannelOrder.Bgr, r.ChannelOrder);
        Assert.Equal(OutputKind.Embedding, r.Output);
        var v = zoo[1];
        Assert.Equal(384, v.ResizeSize);                 // crop_pct 1.0
        Assert.Equal(Interpolation.Bicubic, v.Interpolation);
        Assert.Equal(OutputKind.Logits, v.Output);       // default
        Assert.Equal([0.485f, 0.456f, 0.406f], v.Mean);  // ImageNet default
        Assert.Equal(3, v.LowPassRadius);                // ceil(3 sigma)
    }

    [Theory]
    [InlineData("models: []", "no models")]
    [InlineData("models:\n  - id: a b\n    onnx: x\n    input: {size: 224}", "may hold only")]
    [InlineData("models:\n  - id: a\n    onnx: x\n    input: {size: 224}\n    resize: {size: 200}", "smaller than input.size")]
    [InlineData("models:\n  - id: a\n    onnx: x\n    input: {size: 224}\n    output: {kind: probs}", "output.kind 'probs'")]
    [InlineData("models:\n  - id: a\n    onnx: x\n    input: {size: 224}\n  - id: a\n    onnx: y\n    input: {size: 224}", "listed twice")]
    [InlineData("models: [", "invalid zoo file")]
    public void Bad_zoo_files_fail_with_one_line_naming_the_problem(string yaml, string expected)
    {
        var e = Assert.Throws<ZooException>(() => ZooFile.Parse(yaml, "/z", "/m"));
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
