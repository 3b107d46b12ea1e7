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

    [Fact]
    public void Reads_layout_element_type_output_name_and_pool_with_their_defaults()
    {
        var zoo = ZooFile.Parse("""
            models:
              - id: keras
                onnx: k.onnx
                input: { size: 224, layout: nhwc, type: fp16 }
                output: { kind: embedding, name: image_embeds, pool: mean }
              - { id: plain, onnx: p.onnx, preset: dinov2 }
            """, "/zoo", "/m");
        var k = zoo[0];
        Assert.Equal((TensorLayout.Nhwc, InputElementType.Float16, "image_embeds", EmbeddingPool.Mean), (k.InputLayout, k.InputType, k.OutputName, k.OutputPool));
        Assert.EndsWith("; layout=nhwc; type=float16", k.PreprocessingDescription);
        var p = zoo[1];
        Assert.Equal((TensorLayout.Nchw, InputElementType.Float32, (string?)null, EmbeddingPool.Cls), (p.InputLayout, p.InputType, p.OutputName, p.OutputPool));
        Assert.DoesNotContain("layout", p.PreprocessingDescription);
    }

    [Fact]
    public void A_uint8_model_takes_the_crop_bytes_in_nhwc()
    {
        var m = ZooFile.Parse("models:\n  - { id: feed, onnx: f.onnx, input: { size: 224, layout: nhwc, type: uint8 } }", "/zoo", "/m").Single();
        Assert.Equal((TensorLayout.Nhwc, InputElementType.UInt8), (m.InputLayout, m.InputType));
        Assert.EndsWith("; layout=nhwc; type=uint8", m.PreprocessingDescription);
    }

    [Theory]
    [InlineData("models: []", "no models")]
    [InlineData("models:\n  - id: a b\n    onnx: x\n    input: {size: 224}", "may hold only")]
    [InlineData("models:\n  - id: a\n    onnx: x\n    input: {size: 224}\n    resize: {size: 200}", "smaller than input.size")]
    [InlineData("models:\n  - id: a\n    onnx: x\n    input: {size: 224}\n    output: {kind: probs}", "output.kind 'probs'")]
    [InlineData("models:\n  - id: a\n    onnx: x\n    input: {size: 224}\n  - id: a\n    onnx: y\n    input: {size: 224}", "listed twice")]
    [InlineData("models: [", "invalid zoo file")]
    [InlineData("models:\n  - id: a\n    onnx: x\n    input: {size: 224}\n    resize: {crop_pct: 0}", "model a: resize.crop_pct 0 must be in (0, 1]")]
    [InlineData("models:\n  - id: a\n    onnx: x\n    input: {size: 224}\n    resize: {crop_pct: 1.5}", "resize.crop_pct 1.5 must be in (0, 1]")]
    [InlineData("models:\n  - id: a\n    onnx: x\n    input: {size: 224}\n    resize: {size: 100000000}", "resize.size 100000000 is out of range")]
    [InlineData("models:\n  - id: a\n    onnx: x\n    input: {size: 224}\n    resize: {margin: -1}", "resize.margin -1 is out of range")]
    [InlineData("models:\n  - id: a\n    onnx: x\n    input: {size: 224}\n    lowpass: {sigma: 1, radius: 65}", "lowpass.radius 65 is out of range 1..64")]
    [InlineData("models:\n  - id: a\n    onnx: x\n    input: {size: 224}\n    lowpass: {sigma: 30}", "lowpass.radius 90 is out of range 1..64")]
    [InlineData("models:\n  - id: a\n    onnx: x\n    input: {size: 224}\n    head: {applies_to: [x]}", "model a: head has no path")]
    [InlineData("models:\n  - id: a\n    onnx: x\n    input: {size: 224, layout: chw}", "model a: input.layout 'chw' is not one of nchw, nhwc")]
    [InlineData("models:\n  - id: a\n    onnx: x\n    input: {size: 224, type: int8}", "model a: input.type 'int8' is not one of float32, float16")]
    [InlineData("models:\n  - id: a\n    onnx: x\n    input: {size: 224}\n    output: {pool: max}", "model a: output.pool 'max' is not one of cls, mean")]
    [InlineData("models:\n  - id: a\n    onnx: x\n    input: {size: 224, layout: nhwc}\n    lowpass: {sigma: 1}", "model a: lowpass needs an nchw float32 input")]
    [InlineData("models:\n  - id: a\n    onnx: x\n    input: {size: 224, type: fp16}\n    lowpass: {sigma: 1}", "model a: lowpass needs an nchw float32 input")]
    [InlineData("models:\n  - id: a\n    onnx: x\n    input: {size: 224, type: uint8}", "model a: input.type uint8 takes the crops as [N,S,S,3] bytes; set input.layout: nhwc")]
    [InlineData("models:\n  - id: a\n    onnx: x\n    input: {size: 224, layout: nhwc, type: uint8}\n    normalization: {scale: 1}", "model a: input.type uint8 feeds the crop bytes as they are")]
    public void Bad_zoo_files_fail_with_one_line_naming_the_problem(string yaml, string expected)
    {
        var e = Assert.Throws<ZooException>(() => ZooFile.Parse(yaml, "/z", "/m"));
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_margin_widens_the_scene_and_keeps_the_native_resize_for_the_record()
    {
        var m = ZooFile.Parse("""
            models:
              - id: clip
                onnx: clip.onnx
                input: { size: 224 }
                resize: { crop_pct: 1.0, interpolation: bicubic, margin: 8 }
            """, "/z", "/m").Single();
        Assert.Equal(240, m.ResizeSize);        // C + 2m
        Assert.Equal(224, m.NativeResizeSize);  // C / crop_pct
        Assert.Contains("native_resize_shorter=224", m.PreprocessingDescription);
        Assert.Null(ZooFile.Parse(Yaml, "/zoo", "/app/models")[0].NativeResizeSize);
    }

    [Fact]
    public void A_head_is_a_path_or_a_mapping_naming_the_datasets_it_applies_to()
    {
        var zoo = ZooFile.Parse("""
            models:
              - id: plain
                onnx: a.onnx
                input: { size: 224 }
                output: { kind: embedding }
                head: heads/a.json
              - id: bound
                onnx: b.onnx
                input: { size: 224 }
                output: { kind: embedding }
                head: { path: heads/b.json, applies_to: [fashion-mnist, imagenet-val] }
            """, "/z", "/m");
        Assert.Equal("/z/heads/a.json", zoo[0].HeadPath);
        Assert.Empty(zoo[0].HeadAppliesTo);
        Assert.Equal("/z/heads/b.json", zoo[1].HeadPath);
        Assert.Equal(["fashion-mnist", "imagenet-val"], zoo[1].HeadAppliesTo);
    }

    [Fact]
    public void The_shipped_zoo_binds_its_fashion_mnist_heads_to_fashion_mnist()
    {
        var zoo = ZooFile.Load(Path.Combine(RobustCrop.TestSupport.RepoPaths.Root, "zoo", "default.yaml"), "/m");
        Assert.All(zoo, m => Assert.Equal(["fashion-mnist"], m.HeadAppliesTo));
        Assert.All(zoo, m => Assert.False(m.ClassesApplyTo("photos/chelsea.png")));
    }

    [Fact]
    public void Presets_fill_what_the_exporter_trained_with_and_the_manifest_wins_where_it_speaks()
    {
        var zoo = ZooFile.Parse("""
            models:
              - { id: clip, onnx: c.onnx, preset: open_clip }
              - { id: dino, onnx: d.onnx, preset: dinov2 }
              - { id: vit, onnx: v.onnx, preset: timm, input: { size: 384 }, resize: { crop_pct: 1.0 } }
              - { id: rn, onnx: r.onnx, preset: imagenet }
              - { id: clip-wide, onnx: c.onnx, preset: open_clip, resize: { margin: 5 } }
            """, "/z", "/m");
        var clip = zoo[0];
        Assert.Equal((224, 224, Interpolation.Bicubic, OutputKind.Embedding), (clip.InputSize, clip.ResizeSize, clip.Interpolation, clip.Output));
        Assert.Equal([0.48145466f, 0.4578275f, 0.40821073f], clip.Mean);
        Assert.Equal([0.26862954f, 0.26130258f, 0.27577711f], clip.Std);
        Assert.Equal((224, 256, Interpolation.Bicubic, OutputKind.Embedding), (zoo[1].InputSize, zoo[1].ResizeSize, zoo[1].Interpolation, zoo[1].Output));
        Assert.Equal([0.485f, 0.456f, 0.406f], zoo[1].Mean);
        Assert.Equal((384, 384, Interpolation.Bicubic, OutputKind.Logits), (zoo[2].InputSize, zoo[2].ResizeSize, zoo[2].Interpolation, zoo[2].Output));
        Assert.Equal((224, 256, Interpolation.Bilinear), (zoo[3].InputSize, zoo[3].ResizeSize, zoo[3].Interpolation));
        Assert.Equal((234, 224), (zoo[4].ResizeSize, zoo[4].NativeResizeSize));
    }

    [Fact]
    public void An_unknown_preset_fails_with_the_list_of_presets()
    {
        var e = Assert.Throws<ZooException>(() => ZooFile.Parse("models:\n  - { id: a, onnx: x, preset: clip }", "/z", "/m"));
        Assert.Equal("zoo: model a: preset 'clip' is not one of timm, open_clip, dinov2, imagenet", e.Message);
    }
}
