using RobustCrop.IO.Onnx;
using RobustCrop.Worker.Inference;

namespace RobustCrop.Worker.Tests.Inference;

public class TinyModelSessionTests
{
    private static float[] RandomImages(int batch, int size, int seed, float scale = 1f)
    {
        var random = new Random(seed);
        var data = new float[batch * 3 * size * size];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (float)(random.NextDouble() * 2 - 1) * scale;
        }
        return data;
    }

    private static SessionSpec Spec(float? lowPass, int maxBatch, int? expected) =>
        new() { Name = "tiny", Threads = 1, LowPassSigma = lowPass, ExpectedInputSize = expected, MaxBatch = maxBatch };

    // The model's maths, fed float crops (the tests' oracle: production rewrites, session and output reading).
    private static FloatReferenceSession Open(byte[] model, float? lowPass = null, int maxBatch = 8, int? expected = null) =>
        FloatReferenceSession.Create(model, Spec(lowPass, maxBatch, expected));

    // The production session: uint8 crops, here fed as their values (no normalisation given).
    private static OnnxSession OpenBytes(byte[] model, float? lowPass = null, int maxBatch = 8, int? expected = null) =>
        OnnxSessionFactory.Create(model, Spec(lowPass, maxBatch, expected));

    private static byte[] RandomBytes(int batch, int size, int seed)
    {
        var data = new byte[batch * size * size * 3];
        new Random(seed).NextBytes(data);
        return data;
    }

    [Fact]
    public void Mean_colour_of_constant_image_is_the_constant()
    {
        using var session = Open(TinyModels.MeanColour(6));
        Assert.Equal((TinyModels.InputName, 6, 3, "cpu"), (session.InputName, session.InputSize, session.OutputDim, session.ActiveDevice));
        Assert.Null(session.FallbackReason);

        var image = new float[3 * 36];
        image.AsSpan(0, 36).Fill(0.25f);
        image.AsSpan(36, 36).Fill(-3f);
        image.AsSpan(72, 36).Fill(200f);
        Assert.Equal(new[] { 0.25f, -3f, 200f }, session.Run(image, 1));
    }

    [Fact]
    public void Mean_colour_large_batch_is_split_into_max_batch_chunks()
    {
        const int size = 5, batch = 7;
        using OnnxSession session = OpenBytes(TinyModels.MeanColour(size), maxBatch: 3);
        Assert.Equal(3, session.MaxBatch);
        byte[] images = RandomBytes(batch, size, seed: 1);

        var output = new float[batch * 3 + 2];
        output[^1] = 42f;
        session.Run(images, batch, output);
        session.Run(images, batch, output);

        for (int b = 0; b < batch; b++)
        {
            for (int c = 0; c < 3; c++)
            {
                // [N,S,S,3] bytes: channel c of crop b is every third byte from its start + c.
                double expected = images.AsSpan(b * 3 * size * size, 3 * size * size).ToArray().Where((_, i) => i % 3 == c).Average(x => (double)x);
                // Means of bytes are ~100: 3 decimals is float32's relative precision, as 5 were for the floats of ±1 before.
                Assert.Equal(expected, output[b * 3 + c], 3);
            }
        }
        Assert.Equal(42f, output[^1]);
    }

    [Fact]
    public void Global_average_is_the_mean_of_everything()
    {
        using var session = Open(TinyModels.GlobalAverage(4));
        Assert.Equal(1, session.OutputDim);
        float[] images = RandomImages(2, 4, seed: 2);
        float[] output = session.Run(images, 2);
        Assert.Equal(images.AsSpan(0, 48).ToArray().Average(x => (double)x), output[0], 5);
        Assert.Equal(images.AsSpan(48, 48).ToArray().Average(x => (double)x), output[1], 5);
    }

    [Fact]
    public void Top_left_pixel_classes_sees_only_pixel_zero_zero()
    {
        const int size = 4, classes = 5;
        using var session = Open(TinyModels.TopLeftPixelClasses(classes, seed: 7, size));
        Assert.Equal(classes, session.OutputDim);
        float[] w = TinyModels.TopLeftPixelWeights(classes, seed: 7);
        float[] image = RandomImages(1, size, seed: 3);

        float[] before = session.Run(image, 1);
        for (int k = 0; k < classes; k++)
        {
            double expected = 0;
            for (int c = 0; c < 3; c++)
            {
                expected += image[c * size * size] * w[c * classes + k];
            }
            Assert.Equal(expected, before[k], 5);
        }

        float[] otherPixel = (float[])image.Clone();
        otherPixel[1 * size + 1] += 10f;
        otherPixel[size * size + size - 1] -= 10f;
        Assert.Equal(before, session.Run(otherPixel, 1));

        float[] topLeft = (float[])image.Clone();
        topLeft[0] += 1f;
        float[] after = session.Run(topLeft, 1);
        for (int k = 0; k < classes; k++)
        {
            Assert.Equal(before[k] + w[k], after[k], 5);
        }
    }

    [Fact]
    public void Random_projection_is_the_matrix_product()
    {
        const int size = 3, classes = 4;
        using var session = Open(TinyModels.RandomProjection(size, classes, seed: 11));
        float[] w = TinyModels.RandomProjectionWeights(size, classes, seed: 11);
        float[] images = RandomImages(2, size, seed: 5);
        float[] output = session.Run(images, 2);
        int d = 3 * size * size;
        for (int b = 0; b < 2; b++)
        {
            for (int k = 0; k < classes; k++)
            {
                double expected = 0;
                for (int i = 0; i < d; i++)
                {
                    expected += images[b * d + i] * w[i * classes + k];
                }
                Assert.Equal(expected, output[b * classes + k], 4);
            }
        }
        Assert.NotEqual(output.AsSpan(0, classes).ToArray(), output.AsSpan(classes, classes).ToArray());
    }

    [Fact]
    public void Returns_NaN_throws_model_output_exception()
    {
        using OnnxSession session = OpenBytes(TinyModels.ReturnsNaN(4));
        var ex = Assert.Throws<ModelOutputException>(() => session.Run(new byte[2 * 48], 2));
        Assert.Equal("model tiny returned NaN for batch item 0 (output 'nan' element 0)", ex.Message);
    }

    [Fact]
    public void A_failure_inside_onnx_runtime_is_one_clean_line_naming_the_model()
    {
        using OnnxSession session = OpenBytes(TinyModels.FailsUnlessBatchTwo(4), maxBatch: 1);
        var ex = Assert.Throws<ModelOutputException>(() => session.Run(new byte[48], 1));
        Assert.StartsWith("model tiny: inference failed: ", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(ex.Message, char.IsControl);
        Assert.IsType<Microsoft.ML.OnnxRuntime.OnnxRuntimeException>(ex.InnerException);
    }

    [Fact]
    public void Low_pass_mean_colour_equals_mean_of_zero_padded_blur_computed_by_hand()
    {
        const int size = 8;
        const float sigma = 0.8f;
        int radius = OnnxModelSurgery.DefaultRadius(sigma);
        Assert.Equal(3, radius);
        using var plain = Open(TinyModels.MeanColour(size));
        using var blurred = Open(TinyModels.MeanColour(size), lowPass: sigma);
        Assert.Equal((plain.InputName, plain.InputSize, plain.OutputDim), (blurred.InputName, blurred.InputSize, blurred.OutputDim));

        float[] image = RandomImages(1, size, seed: 9, scale: 100f);
        var g = new double[2 * radius + 1];
        for (int i = 0; i < g.Length; i++)
        {
            g[i] = Math.Exp(-(i - radius) * (i - radius) / (2.0 * sigma * sigma));
        }
        double gSum = g.Sum();
        float[] result = blurred.Run(image, 1);
        float[] unblurred = plain.Run(image, 1);

        for (int c = 0; c < 3; c++)
        {
            double total = 0;
            for (int y = 0; y < size; y++)
            {
                for (int x = 0; x < size; x++)
                {
                    for (int dy = -radius; dy <= radius; dy++)
                    {
                        for (int dx = -radius; dx <= radius; dx++)
                        {
                            int sy = y + dy, sx = x + dx;
                            if (sy >= 0 && sy < size && sx >= 0 && sx < size)
                            {
                                total += image[(c * size + sy) * size + sx] * g[dy + radius] * g[dx + radius] / (gSum * gSum);
                            }
                        }
                    }
                }
            }
            Assert.Equal(total / (size * size), result[c], 3);
            Assert.True(Math.Abs(result[c] - unblurred[c]) > 0.01, "zero padding must pull the blurred mean away from the plain mean");
        }
    }

    [Fact]
    public void Cpu_never_reports_fallback()
    {
        using var session = OnnxSessionFactory.Create(TinyModels.MeanColour(4), new SessionSpec { Device = DeviceSpec.Parse("cpu"), Threads = 1 });
        Assert.Equal("cpu", session.ActiveDevice);
        Assert.Null(session.FallbackReason);
    }

    [Fact]
    public void Cuda_either_runs_on_cuda_or_falls_back_with_one_line_reason()
    {
        using var session = OnnxSessionFactory.Create(TinyModels.MeanColour(4), new SessionSpec { Device = DeviceSpec.Parse("cuda:0"), Threads = 1 });
        if (session.ActiveDevice == "cpu")
        {
            Assert.NotNull(session.FallbackReason);
            Assert.StartsWith("CUDA provider unavailable (", session.FallbackReason);
            Assert.EndsWith("); running on CPU", session.FallbackReason);
            Assert.DoesNotContain('\n', session.FallbackReason);
        }
        else
        {
            Assert.Equal("cuda:0", session.ActiveDevice);
            Assert.Null(session.FallbackReason);
        }
        var image = new byte[48];
        image.AsSpan().Fill(15);
        Assert.Equal(new[] { 15f, 15f, 15f }, session.Run(image, 1));
    }

    [Fact]
    public void Missing_file_throws_model_load_exception_naming_the_file()
    {
        string path = Path.Combine(Path.GetTempPath(), "robustcrop-no-such-model-" + Guid.NewGuid().ToString("N") + ".onnx");
        var ex = Assert.Throws<ModelLoadException>(() => OnnxSessionFactory.Load(path, new SessionSpec { Threads = 1 }));
        Assert.Equal($"model file not found: {path}", ex.Message);
    }

    [Fact]
    public void Garbage_file_throws_model_load_exception()
    {
        string path = Path.Combine(Path.GetTempPath(), "robustcrop-garbage-" + Guid.NewGuid().ToString("N") + ".onnx");
        File.WriteAllBytes(path, [0x47, 0x41, 0x52, 0x42, 0x41, 0x47, 0x45, 0x21, 0x00, 0xFF]);
        try
        {
            var ex = Assert.Throws<ModelLoadException>(() => OnnxSessionFactory.Load(path, new SessionSpec { Threads = 1 }));
            Assert.StartsWith($"model {path} is not a valid ONNX file: ", ex.Message);
            Assert.DoesNotContain('\n', ex.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Parseable_but_invalid_model_throws_model_load_exception_from_onnx_runtime()
    {
        // Valid protobuf, invalid ONNX: the node reads a tensor nothing produces.
        byte[] model = new OnnxGraphBuilder().AddInput("x", "batch", 3, 4, 4).AddOutput("y", "batch", 3)
            .AddNode("Relu", ["nowhere"], ["y"]).ToBytes();
        var ex = Assert.Throws<ModelLoadException>(() => OpenBytes(model));
        Assert.StartsWith("model tiny is not a valid ONNX file: ", ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public void Expected_size_mismatch_throws_model_load_exception()
    {
        var ex = Assert.Throws<ModelLoadException>(() => OpenBytes(TinyModels.MeanColour(8), expected: 224));
        Assert.Equal("model tiny: input is 3x8x8, manifest says 224", ex.Message);
        // The session checks too, for callers that construct it directly from a graph that takes bytes.
        byte[] byteGraph = new OnnxGraphBuilder("direct").AddByteInput("crops", "batch", 8, 8, 3).AddOutput("output", "batch", 3)
            .AddFirstPixel("crops", "output").ToBytes();
        var direct = Assert.Throws<ModelLoadException>(() =>
            new OnnxSession(byteGraph, DeviceSpec.Cpu, 1, expectedInputSize: 16, modelName: "direct"));
        Assert.Equal("model direct: input is 3x8x8, manifest says 16", direct.Message);
        var floatGraph = Assert.Throws<ModelLoadException>(() => new OnnxSession(TinyModels.MeanColour(8), DeviceSpec.Cpu, 1, modelName: "direct"));
        Assert.Equal($"model direct: input '{TinyModels.InputName}' is not a uint8 tensor", floatGraph.Message);
        using OnnxSession ok = OpenBytes(TinyModels.MeanColour(8), expected: 8);
        Assert.Equal(8, ok.InputSize);
    }

    [Fact]
    public void Symbolic_spatial_size_needs_the_manifest_size()
    {
        byte[] model = new OnnxGraphBuilder().AddInput("x", "batch", 3, "h", "w").AddOutput("y", "batch", 3)
            .AddNode("ReduceMean", ["x"], ["y"], OnnxAttribute.Ints("axes", 2, 3), OnnxAttribute.Int("keepdims", 0)).ToBytes();
        var ex = Assert.Throws<ModelLoadException>(() => OpenBytes(model));
        Assert.StartsWith("model tiny: input 'x' is [batch,3,h,w]", ex.Message);

        using OnnxSession bytes = OpenBytes(model, expected: 5);
        Assert.Equal(new[] { 7f, 7f, 7f }, bytes.Run(Enumerable.Repeat((byte)7, 75).ToArray(), 1));
        using var session = Open(model, expected: 5);
        Assert.Equal((5, 3), (session.InputSize, session.OutputDim));
        var image = new float[75];
        image.AsSpan().Fill(2f);
        Assert.Equal(new[] { 2f, 2f, 2f }, session.Run(image, 1));
    }

    [Fact]
    public void Symbolic_output_dims_are_probed_at_load()
    {
        // The output's trailing dim is unknown in the graph, so OutputDim must come from a probe run.
        byte[] model = new OnnxGraphBuilder().AddInput("x", "batch", 3, 4, 4).AddOutput("y", "batch", "k")
            .AddNode("Flatten", ["x"], ["y"], OnnxAttribute.Int("axis", 1)).ToBytes();
        using OnnxSession bytes = OpenBytes(model);
        Assert.Equal(48, bytes.OutputDim);
        using var session = Open(model);
        Assert.Equal(48, session.OutputDim);
        float[] images = RandomImages(3, 4, seed: 4);
        Assert.Equal(images, session.Run(images, 3));
    }

    [Fact]
    public void Wrong_input_layout_throws_model_load_exception()
    {
        byte[] model = new OnnxGraphBuilder().AddInput("x", "batch", 1, 4, 4).AddOutput("y", "batch", 1)
            .AddNode("ReduceMean", ["x"], ["y"], OnnxAttribute.Ints("axes", 2, 3), OnnxAttribute.Int("keepdims", 0)).ToBytes();
        var ex = Assert.Throws<ModelLoadException>(() => OpenBytes(model));
        Assert.Equal("model tiny: input 'x' is [batch,1,4,4], expected [N,3,S,S]", ex.Message);
    }

    [Fact]
    public void Run_rejects_wrong_span_lengths()
    {
        using OnnxSession session = OpenBytes(TinyModels.MeanColour(4));
        Assert.Throws<ArgumentException>(() => session.Run(new byte[47], 1, new float[3]));
        Assert.Throws<ArgumentException>(() => session.Run(new byte[96], 2, new float[5]));
    }
}
