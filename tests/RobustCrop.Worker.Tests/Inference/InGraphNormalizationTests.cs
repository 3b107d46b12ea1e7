using RobustCrop.Core.Imaging;
using RobustCrop.IO.Imaging;
using RobustCrop.IO.Models;
using RobustCrop.IO.Onnx;
using RobustCrop.Worker.Inference;
using RobustCrop.Worker.Pipeline;
using Xunit.Abstractions;

namespace RobustCrop.Worker.Tests.Inference;

/// <summary>
/// A graph that normalises its own uint8 crops gives the outputs of the CPU-normalised float path: same crops, same
/// model, max |difference| within 1e-4 (float32 rounding of the same operations, possibly fused differently by ORT).
/// </summary>
public sealed class InGraphNormalizationTests(ITestOutputHelper log)
{
    private static readonly (int X, int Y, int RollX, int RollY)[] Windows = [(0, 0, 0, 0), (3, 1, 2, -1), (1, 4, -3, 5)];

    private static RgbImage RandomScene(int w, int h, int seed)
    {
        var scene = new RgbImage(w, h);
        new Random(seed).NextBytes(scene.Pixels);
        return scene;
    }

    /// <summary>The largest |float path − byte path| over every crop's output.</summary>
    private float MaxDifference(FloatReferenceSession floats, OnnxSession bytes, PixelNormalization norm, RgbImage scene,
        (int X, int Y, int RollX, int RollY)[] windows)
    {
        // On the CPU batches stay in managed arrays that never move; I/O binding is the CUDA path.
        Assert.False(bytes.UsesIoBinding);
        int size = floats.InputSize, n = windows.Length;
        var floatCrops = new float[n * 3 * size * size];
        var byteCrops = new byte[n * 3 * size * size];
        for (int i = 0; i < n; i++)
        {
            var (x, y, rx, ry) = windows[i];
            CropWriter.WriteRolled(scene, x, y, size, rx, ry, norm, floatCrops.AsSpan(i * 3 * size * size, 3 * size * size));
            CropBytes.WriteRolled(scene, x, y, size, rx, ry, byteCrops.AsSpan(i * 3 * size * size, 3 * size * size));
        }
        var expected = floats.Run(floatCrops, n);
        var actual = new float[expected.Length];
        bytes.Run(byteCrops, n, actual);
        float max = 0;
        for (int i = 0; i < expected.Length; i++) max = Math.Max(max, Math.Abs(expected[i] - actual[i]));
        Assert.Contains(expected, v => v != 0); // a model that ignores its input would pass trivially
        log.WriteLine($"max |float path - byte path| = {max:G3} over {expected.Length} outputs");
        return max;
    }

    private static SessionSpec Spec(ModelIo? io, float? lowPass) =>
        new() { Name = "synthetic", Threads = 1, LowPassSigma = lowPass, ExpectedInputSize = 8, MaxBatch = 4, Io = io ?? ModelIo.Default };

    private static OnnxSession Open(byte[] model, PixelNormalization inGraph, ModelIo? io = null, float? lowPass = null) =>
        OnnxSessionFactory.Create(model, Spec(io, lowPass) with { Normalization = inGraph });

    private static FloatReferenceSession Reference(byte[] model, ModelIo? io = null, float? lowPass = null) =>
        FloatReferenceSession.Create(model, Spec(io, lowPass));

    [Fact]
    public void ImageNet_mean_std_in_the_graph_equals_the_cpu_path()
    {
        byte[] model = TinyModels.RandomProjection(8, 5, seed: 3);
        var norm = PixelNormalization.ImageNet;
        using var floats = Reference(model);
        using var bytes = Open(model, norm);
        Assert.InRange(MaxDifference(floats, bytes, norm, RandomScene(16, 14, 1), Windows), 0f, 1e-4f);
    }

    [Fact]
    public void A_wrong_channel_order_in_the_graph_is_far_outside_the_tolerance()
    {
        // The comparison can fail: the same model normalising BGR while the CPU path is RGB differs grossly.
        byte[] model = TinyModels.RandomProjection(8, 5, seed: 3);
        using var floats = Reference(model);
        using var bytes = Open(model, PixelNormalization.ImageNet with { Order = ChannelOrder.Bgr });
        Assert.True(MaxDifference(floats, bytes, PixelNormalization.ImageNet, RandomScene(16, 14, 1), Windows) > 0.1f);
    }

    [Fact]
    public void Bgr_with_a_mean_image_and_a_low_pass_equals_the_cpu_path()
    {
        byte[] model = TinyModels.RandomProjection(8, 5, seed: 4);
        var rng = new Random(5);
        float[] meanImage = [.. Enumerable.Range(0, 3 * 64).Select(_ => (float)rng.NextDouble() * 200f)];
        var norm = new PixelNormalization(ChannelOrder.Bgr, 1f, [10f, 20f, 30f], [2f, 3f, 4f], meanImage);
        using var floats = Reference(model, lowPass: 1f);
        using var bytes = Open(model, norm, lowPass: 1f);
        Assert.InRange(MaxDifference(floats, bytes, norm, RandomScene(12, 13, 2), Windows), 0f, 1e-4f);
    }

    [Fact]
    public void Nhwc_model_equals_the_cpu_path()
    {
        byte[] model = new OnnxGraphBuilder("nhwc_projection")
            .AddInput("image", "batch", 8, 8, 3)
            .AddOutput("logits", "batch", 5)
            .AddInitializer("weights", [3L * 8 * 8, 5], TinyModels.RandomProjectionWeights(8, 5, seed: 6))
            .AddNode("Flatten", ["image"], ["flat"], OnnxAttribute.Int("axis", 1))
            .AddNode("MatMul", ["flat", "weights"], ["logits"])
            .ToBytes();
        var norm = PixelNormalization.ImageNet with { Order = ChannelOrder.Bgr };
        var io = new ModelIo(TensorLayout.Nhwc);
        using var floats = Reference(model, io);
        using var bytes = Open(model, norm, io);
        Assert.InRange(MaxDifference(floats, bytes, norm, RandomScene(16, 14, 3), Windows), 0f, 1e-4f);
    }

    [Fact]
    public void Float16_model_equals_the_cpu_path_to_half_precision()
    {
        byte[] model = new OnnxGraphBuilder("half_projection")
            .AddHalfInput("image", "batch", 3, 8, 8)
            .AddOutput("logits", "batch", 5)
            .AddInitializer("weights", [3L * 8 * 8, 5], TinyModels.RandomProjectionWeights(8, 5, seed: 7))
            .AddNode("Cast", ["image"], ["wide"], OnnxAttribute.Int("to", 1))
            .AddNode("Flatten", ["wide"], ["flat"], OnnxAttribute.Int("axis", 1))
            .AddNode("MatMul", ["flat", "weights"], ["logits"])
            .ToBytes();
        var norm = PixelNormalization.ImageNet;
        var io = new ModelIo(Type: InputElementType.Float16);
        using var floats = Reference(model, io);
        using var bytes = Open(model, norm, io);
        // Both paths round the same float32 values to half; a value that float rounding puts on the other side of a half
        // rounding boundary moves by one half ulp (2^-10 near 2), times a weight below 1, summed over few such inputs.
        Assert.InRange(MaxDifference(floats, bytes, norm, RandomScene(16, 14, 4), Windows), 0f, 1e-2f);
    }

    [Fact]
    public void A_batch_of_the_wrong_byte_count_is_refused()
    {
        byte[] model = TinyModels.RandomProjection(8, 5, seed: 3);
        using var bytes = Open(model, PixelNormalization.ImageNet);
        Assert.Throws<ArgumentException>(() => bytes.Run(new byte[3 * 64 - 1], 1, new float[5]));
        Assert.Throws<ArgumentException>(() => bytes.Run(new byte[3 * 64], 1, new float[4]));
        Assert.Equal(5, bytes.Run(new byte[3 * 64], 1).Length);
    }

    [Theory]
    [Trait("Category", "Slow")]
    [InlineData("resnet18")]
    [InlineData("resnet18-blur")]
    public void Shipped_resnet18_in_graph_equals_the_cpu_path(string id)
    {
        var zoo = ZooFile.Load(Path.Combine(RepoPaths.Root, "zoo", "default.yaml"), Path.Combine(AppContext.BaseDirectory, "models"));
        var m = zoo.Single(z => z.Id == id);
        using EvaluatedModel model = ModelLoader.Load(m, DeviceSpec.Cpu, 2);
        var bytes = Assert.IsType<OnnxSession>(model.Inference);
        using var floats = FloatReferenceSession.Load(m.OnnxPath, SessionSpec.Of(m, DeviceSpec.Cpu, 2));
        var decoded = ImageDecoder.Decode(File.ReadAllBytes(Path.Combine(RepoPaths.Root, "samples", "photos", "chelsea.png")), DecodeLimits.Default);
        Assert.NotNull(decoded.Image);
        var scene = SceneResizer.ResizeShorterSide(decoded.Image, 256, Interpolation.Bilinear);
        Assert.InRange(MaxDifference(floats, bytes, model.Normalization, scene, [(16, 16, 0, 0), (20, 10, 37, -80)]), 0f, 1e-4f);
    }
}
