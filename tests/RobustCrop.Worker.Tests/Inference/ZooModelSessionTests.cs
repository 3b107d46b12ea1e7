using RobustCrop.Core.Imaging;
using RobustCrop.Core.Models;
using RobustCrop.IO.Onnx;
using RobustCrop.Worker.Inference;

namespace RobustCrop.Worker.Tests.Inference;

/// <summary>
/// Sessions of the synthetic zoo's exporter shapes: the caller always passes NCHW float32 crops, and the model gets
/// them in its own layout and element type, with the chosen output read (and a token output pooled).
/// </summary>
public sealed class ZooModelSessionTests
{
    private const int Size = 8, Item = 3 * Size * Size;

    private static float[] RandomCrops(int batch, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, batch * Item).Select(_ => (float)(random.NextDouble() * 4 - 2))];
    }

    private static FloatReferenceSession Open(byte[] model, ModelIo io, int? size = Size) =>
        FloatReferenceSession.Create(model, new SessionSpec { Name = "zoo", Threads = 1, ExpectedInputSize = size, MaxBatch = 4, Io = io });

    [Fact]
    public void An_nhwc_model_receives_each_crop_transposed_to_rgb_per_pixel()
    {
        using var session = Open(ZooModels.IdentityNhwc(Size), new ModelIo(Layout: TensorLayout.Nhwc));
        var crops = RandomCrops(3, seed: 1);
        float[] output = session.Run(crops, 3);
        Assert.Equal(Item, session.OutputDim);
        for (int b = 0; b < 3; b++)
            for (int c = 0; c < 3; c++)
                for (int p = 0; p < Size * Size; p++)
                    Assert.Equal(crops[b * Item + c * Size * Size + p], output[b * Item + p * 3 + c]);
    }

    [Fact]
    public void A_float16_model_receives_the_crop_rounded_to_half_and_its_half_output_comes_back_as_float()
    {
        using var session = Open(ZooModels.IdentityHalf(Size), new ModelIo(Type: InputElementType.Float16));
        var crops = RandomCrops(5, seed: 2); // 5 > maxBatch 4: also the split into two runs
        float[] output = session.Run(crops, 5);
        for (int i = 0; i < crops.Length; i++) Assert.Equal((float)(Half)crops[i], output[i]);
        Assert.Contains(crops, v => (float)(Half)v != v); // the rounding is real, so the test above can fail
    }

    [Fact]
    public void A_float16_nhwc_model_gets_both_conversions()
    {
        // A float16 NHWC model ([batch, S, S, 3] half in, flattened half out): the transposition and the rounding together.
        var model = new OnnxGraphBuilder("fp16_nhwc").AddHalfInput("image", "batch", Size, Size, 3).AddHalfOutput("pixels", "batch", Item)
            .AddNode("Flatten", ["image"], ["pixels"], OnnxAttribute.Int("axis", 1)).ToBytes();
        using var session = Open(model, new ModelIo(TensorLayout.Nhwc, InputElementType.Float16));
        var crops = RandomCrops(2, seed: 3);
        float[] output = session.Run(crops, 2);
        for (int b = 0; b < 2; b++)
            for (int c = 0; c < 3; c++)
                for (int p = 0; p < Size * Size; p++)
                    Assert.Equal((float)(Half)crops[b * Item + c * Size * Size + p], output[b * Item + p * 3 + c]);
    }

    [Fact]
    public void Output_name_picks_the_second_of_two_outputs_and_the_default_is_the_first()
    {
        var crops = RandomCrops(2, seed: 4);
        using (var named = Open(ZooModels.TwoOutputs(Size), new ModelIo(OutputName: "pixels")))
        {
            Assert.Equal(("pixels", Item), (named.OutputName, named.OutputDim));
            Assert.Equal(crops, named.Run(crops, 2));
        }
        using var first = Open(ZooModels.TwoOutputs(Size), ModelIo.Default);
        Assert.Equal(("mean", 3), (first.OutputName, first.OutputDim));
        var e = Assert.Throws<ModelLoadException>(() => Open(ZooModels.TwoOutputs(Size), new ModelIo(OutputName: "logits")));
        Assert.Equal("model zoo: output.name 'logits' is not one of the model's outputs (mean, pixels)", e.Message);
    }

    [Theory]
    [InlineData("nhwc-on-nchw")]
    [InlineData("nchw-on-nhwc")]
    [InlineData("half-on-float")]
    [InlineData("float-on-half")]
    public void A_manifest_field_that_does_not_match_the_graph_fails_with_one_line_naming_the_model_and_the_fix(string mismatch)
    {
        var (model, io, expected) = mismatch switch
        {
            "nhwc-on-nchw" => (ZooModels.IdentityNchw(Size), new ModelIo(Layout: TensorLayout.Nhwc),
                "model zoo: input 'image' is [batch,3,8,8], which is NCHW; remove input.layout: nhwc"),
            "nchw-on-nhwc" => (ZooModels.IdentityNhwc(Size), ModelIo.Default,
                "model zoo: input 'image' is [batch,8,8,3], which is NHWC; set input.layout: nhwc in the zoo"),
            "half-on-float" => (ZooModels.IdentityNchw(Size), new ModelIo(Type: InputElementType.Float16),
                "model zoo: input.type is float16, but input 'image' is float32; remove input.type"),
            _ => (ZooModels.IdentityHalf(Size), ModelIo.Default,
                "model zoo: input 'image' is float16; set input.type: float16 in the zoo"),
        };
        Assert.Equal(expected, Assert.Throws<ModelLoadException>(() => Open(model, io)).Message);
    }

    [Fact]
    public void Low_pass_on_an_nhwc_or_float16_model_is_refused_in_one_line()
    {
        foreach (var (model, io) in new[] { (ZooModels.IdentityNhwc(Size), new ModelIo(Layout: TensorLayout.Nhwc)),
                     (ZooModels.IdentityHalf(Size), new ModelIo(Type: InputElementType.Float16)) })
        {
            var e = Assert.Throws<ModelLoadException>(() =>
                FloatReferenceSession.Create(model, new SessionSpec { Name = "zoo", Threads = 1, LowPassSigma = 1f, ExpectedInputSize = Size, MaxBatch = 4, Io = io }));
            Assert.Equal("model zoo: lowpass needs an nchw float32 input", e.Message);
        }
    }

    [Fact]
    public void A_symbolic_spatial_size_takes_the_manifests_size()
    {
        var w = ZooModels.VitWeights.Random(embed: 4, dim: 6, seed: 5);
        using var s32 = Open(ZooModels.VitLike(w), ModelIo.Default, size: 32);
        using var s48 = Open(ZooModels.VitLike(w), ModelIo.Default, size: 48);
        Assert.Equal((32, 6, 5 * 6), (s32.InputSize, s32.OutputDim, s32.RawOutputDim)); // 1 + (32/16)² tokens
        Assert.Equal((48, 6, 10 * 6), (s48.InputSize, s48.OutputDim, s48.RawOutputDim)); // 1 + (48/16)² tokens
    }
}
