using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using RobustCrop.Core.Data;
using RobustCrop.Core.Geometry;
using RobustCrop.Core.Imaging;
using RobustCrop.Core.Settings;
using RobustCrop.IO.Imaging;
using RobustCrop.IO.Models;
using RobustCrop.Worker.Inference;
using RobustCrop.Worker.Pipeline;

namespace RobustCrop.Worker.Tests.Pipeline;

/// <summary>The shipped zoo's resnet18, loaded once for the class the way a run loads it.</summary>
public sealed class ShippedResNet18Fixture : IDisposable
{
    public ShippedResNet18Fixture()
    {
        Root = RepoPaths.Root;
        var zoo = ZooFile.Load(Path.Combine(Root, "zoo", "default.yaml"), Path.Combine(AppContext.BaseDirectory, "models"));
        Model = ModelLoader.Load(zoo.Single(m => m.Id == "resnet18"), DeviceSpec.Cpu, 2);
    }

    public string Root { get; }

    public EvaluatedModel Model { get; }

    public static string PreprocessPath => Path.Combine(AppContext.BaseDirectory, "models", "ResNetPrepOnnx", "ResNetPreprocess.onnx");

    public void Dispose() => Model.Dispose();
}

[Trait("Category", "Slow")]
public class ResNet18PreprocessingTests(ShippedResNet18Fixture fixture) : IClassFixture<ShippedResNet18Fixture>
{
    private const int C = 224;

    private RgbImage Scene(string photo)
    {
        var decoded = ImageDecoder.Decode(File.ReadAllBytes(Path.Combine(fixture.Root, "samples", "photos", photo)), DecodeLimits.Default);
        Assert.NotNull(decoded.Image);
        return SceneResizer.ResizeShorterSide(decoded.Image, 256, Interpolation.Bilinear);
    }

    [Theory]
    [InlineData("chelsea.png", 0, 0)]
    [InlineData("astronaut.png", 1, -1)]
    public void Zoo_normalisation_equals_the_packages_preprocess_graph(string photo, int dx, int dy)
    {
        var scene = Scene(photo);
        var g = new SceneGeometry(scene.Width, scene.Height, 256, C);
        var at = g.Shifted(new Shift(dx, dy));

        var ours = new float[3 * C * C];
        CropWriter.Write(scene, at.X, at.Y, C, fixture.Model.Normalization, ours);

        // The same crop as RGB floats 0..255, planar, as the preprocess graph's OriginalInput expects.
        var rgb = new DenseTensor<float>([1, 3, C, C]);
        for (int y = 0; y < C; y++)
        {
            var row = scene.ReadOnlyRow(at.Y + y);
            for (int x = 0; x < C; x++)
                for (int ch = 0; ch < 3; ch++)
                    rgb[0, ch, y, x] = row[(at.X + x) * 3 + ch];
        }
        using var session = new InferenceSession(ShippedResNet18Fixture.PreprocessPath);
        string input = session.InputMetadata.Keys.Single();
        Assert.Equal("OriginalInput", input);
        using var outputs = session.Run([NamedOnnxValue.CreateFromTensor(input, rgb)]);
        float[] reference = outputs.First().AsEnumerable<float>().ToArray();

        Assert.Equal(reference.Length, ours.Length);
        double maxDiff = 0;
        for (int i = 0; i < ours.Length; i++) maxDiff = Math.Max(maxDiff, Math.Abs(ours[i] - reference[i]));
        Assert.True(maxDiff <= 1e-4, $"max |ours - ResNetPreprocess| = {maxDiff}");
        Assert.True(reference.Max() - reference.Min() > 100, "the crop must span a real range of values");
    }

    [Fact]
    public async Task Real_ResNet18_through_the_pipeline_is_nearly_consistent_with_512d_vectors()
    {
        ImageRecord[] records = new[] { "chelsea.png", "coffee.png" }
            .Select(p => new ImageRecord($"photos/{p}", null, File.ReadAllBytes(Path.Combine(fixture.Root, "samples", "photos", p)), null))
            .ToArray();
        var result = await new ShardEvaluator([fixture.Model], new RunSettings(new RunId("r")) { WindowK = 1, KeepEmbeddings = true, Batch = 8 })
            .EvaluateAsync(new DatasetShard(new ShardId(0), ShardSource.Of("photos"), 0, -1), records);

        Assert.Empty(result.Errors);
        var rows = result.Images["resnet18"];
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r =>
        {
            Assert.True(r.Cosine1pxMin > 0.9 && r.Cosine1pxMin <= 1.0 + 1e-6, $"{r.ImageKey}: cosine_1px_min {r.Cosine1pxMin}");
            Assert.Equal(17, r.CropsInferred);
            Assert.Equal(8, r.Shifts1px);
            // The zoo's prototype head is bound to Fashion-MNIST (head.applies_to): photos get representation metrics only.
            Assert.Null(r.PredictionLabel);
            Assert.Null(r.Fooled1px);
        });
        var crops = result.Crops["resnet18"];
        Assert.Equal(34, crops.Count);
        Assert.All(crops, c =>
        {
            Assert.NotNull(c.Embedding);
            Assert.Equal(512, c.Embedding.Length);
            Assert.Equal(1.0, Math.Sqrt(c.Embedding.Sum(v => (double)v * v)), 1e-4);
        });
    }
}
