using RobustCrop.IO.Onnx;
using RobustCrop.Worker.Inference;

namespace RobustCrop.Worker.Tests.Inference;

/// <summary>Loads the shipped ResNet18 once plain and once low-passed for the whole class.</summary>
public sealed class ResNet18Fixture : IDisposable
{
    public static string ModelPath => Path.Combine(AppContext.BaseDirectory, "models", "ResNet18Onnx", "ResNet18.onnx");

    public static string PreprocessPath => Path.Combine(AppContext.BaseDirectory, "models", "ResNetPrepOnnx", "ResNetPreprocess.onnx");

    public ResNet18Fixture()
    {
        Plain = FloatReferenceSession.Load(ModelPath, new SessionSpec { ExpectedInputSize = 224, MaxBatch = 4 });
        LowPassed = FloatReferenceSession.Load(ModelPath, new SessionSpec { ExpectedInputSize = 224, MaxBatch = 4, LowPassSigma = 1f });
    }

    public FloatReferenceSession Plain { get; }

    public FloatReferenceSession LowPassed { get; }

    public void Dispose()
    {
        Plain.Dispose();
        LowPassed.Dispose();
    }
}

[Trait("Category", "Slow")]
public class ResNet18Tests : IClassFixture<ResNet18Fixture>
{
    private const int Size = 224;
    private const int ItemSize = 3 * Size * Size;
    private readonly ResNet18Fixture _fixture;

    public ResNet18Tests(ResNet18Fixture fixture)
    {
        _fixture = fixture;
    }

    // Roughly the range of mean-subtracted 0..255 pixels that the preprocess model feeds ResNet18.
    private static float[] RandomImages(int batch, int seed)
    {
        var random = new Random(seed);
        var data = new float[batch * ItemSize];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (float)(random.NextDouble() * 240 - 120);
        }
        return data;
    }

    [Fact]
    public void Inspect_real_model_matches_probed_facts()
    {
        byte[] bytes = File.ReadAllBytes(ResNet18Fixture.ModelPath);
        OnnxModelInfo info = OnnxModelSurgery.Inspect(bytes);
        Assert.Equal(3, info.IrVersion);
        Assert.Equal(8, info.OpsetVersion);
        Assert.Equal("CNTK", info.ProducerName);
        Assert.Equal("Input247[1,3,224,224]", Assert.Single(info.Inputs).ToString());
        Assert.Equal("Pooling395_Output_0[1,512,1,1]", Assert.Single(info.Outputs).ToString());
        Assert.Equal(73, info.ValueInfoCount);

        OnnxModelInfo symbolic = OnnxModelSurgery.Inspect(OnnxModelSurgery.MakeBatchSymbolic(bytes));
        Assert.Equal("Input247[batch,3,224,224]", Assert.Single(symbolic.Inputs).ToString());
        Assert.Equal("Pooling395_Output_0[batch,512,1,1]", Assert.Single(symbolic.Outputs).ToString());
        Assert.Equal(0, symbolic.ValueInfoCount);
        Assert.Equal(info.NodeCount, symbolic.NodeCount);
        Assert.Equal(info.InitializerCount, symbolic.InitializerCount);
    }

    [Fact]
    public void Session_exposes_model_shape()
    {
        FloatReferenceSession s = _fixture.Plain;
        Assert.Equal(("Input247", "Pooling395_Output_0", 224, 512, 4, "cpu"), (s.InputName, s.OutputName, s.InputSize, s.OutputDim, s.MaxBatch, s.ActiveDevice));
        Assert.Null(s.FallbackReason);
    }

    [Fact]
    public void Batch_of_four_equals_four_single_runs()
    {
        FloatReferenceSession s = _fixture.Plain;
        float[] images = RandomImages(4, seed: 1);
        float[] batched = s.Run(images, 4);

        for (int b = 0; b < 4; b++)
        {
            float[] single = s.Run(images.AsSpan(b * ItemSize, ItemSize), 1);
            for (int k = 0; k < 512; k++)
            {
                Assert.True(Math.Abs(single[k] - batched[b * 512 + k]) <= 1e-4,
                    $"item {b} feature {k}: single {single[k]} vs batched {batched[b * 512 + k]}");
            }
        }
        // Different inputs must give different features, or the comparison above proves nothing.
        Assert.True(MaxAbsDiff(batched.AsSpan(0, 512), batched.AsSpan(512, 512)) > 1e-3);
    }

    [Fact]
    public void Low_pass_changes_the_features()
    {
        float[] image = RandomImages(1, seed: 2);
        float[] plain = _fixture.Plain.Run(image, 1);
        float[] blurred = _fixture.LowPassed.Run(image, 1);
        Assert.Equal(_fixture.Plain.OutputDim, _fixture.LowPassed.OutputDim);
        Assert.All(blurred, v => Assert.True(float.IsFinite(v)));
        Assert.True(MaxAbsDiff(plain, blurred) > 1e-2, $"max diff {MaxAbsDiff(plain, blurred)}");
    }

    [Fact]
    public void Wrong_manifest_size_names_model_and_both_sizes()
    {
        var ex = Assert.Throws<ModelLoadException>(() =>
            FloatReferenceSession.Load(ResNet18Fixture.ModelPath, new SessionSpec { Threads = 1, ExpectedInputSize = 299 }));
        Assert.Equal($"model {ResNet18Fixture.ModelPath}: input is 3x224x224, manifest says 299", ex.Message);
    }

    [Fact]
    public void Preprocess_is_bgr_minus_mean_image()
    {
        byte[] bytes = File.ReadAllBytes(ResNet18Fixture.PreprocessPath);
        (long[] dims, float[] mean) = OnnxModelSurgery.ReadFloatInitializer(bytes, "MeanImage");
        Assert.Equal(new long[] { 1, 3, 224, 224 }, dims);
        Assert.All(mean, v => Assert.InRange(v, 0f, 255f));

        using FloatReferenceSession prep = FloatReferenceSession.Load(ResNet18Fixture.PreprocessPath, new SessionSpec { Threads = 1, MaxBatch = 2 });
        Assert.Equal(("OriginalInput", "PreprocessedInput", ItemSize), (prep.InputName, prep.OutputName, prep.OutputDim));

        var random = new Random(3);
        var rgb = new float[2 * ItemSize];
        for (int i = 0; i < rgb.Length; i++)
        {
            rgb[i] = random.Next(256);
        }
        float[] output = prep.Run(rgb, 2);
        int plane = Size * Size;
        for (int b = 0; b < 2; b++)
        {
            for (int c = 0; c < 3; c++)
            {
                for (int p = 0; p < plane; p += 97)
                {
                    float expected = rgb[b * ItemSize + (2 - c) * plane + p] - mean[c * plane + p];
                    Assert.Equal(expected, output[b * ItemSize + c * plane + p], 3);
                }
            }
        }
    }

    private static double MaxAbsDiff(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double max = 0;
        for (int i = 0; i < a.Length; i++)
        {
            max = Math.Max(max, Math.Abs(a[i] - b[i]));
        }
        return max;
    }
}
