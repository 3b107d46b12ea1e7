using Xunit.Abstractions;
using RobustCrop.IO.Onnx;
using RobustCrop.Worker.Inference;

namespace RobustCrop.Worker.Tests.Inference;

/// <summary>
/// Models whose weights are ONNX external data (<c>model.onnx</c> + <c>model.onnx.data</c>), the only form a model over
/// 2 GB can take. A >2 GB file cannot be part of the default suite; instead a test shows the load's managed allocation
/// does not grow with the data file (~50 MB against ~50 KB), i.e. the weights never pass through managed memory.
/// </summary>
public sealed class ExternalDataModelTests(ITestOutputHelper log) : IDisposable
{
    private const int Size = 8, Item = 3 * Size * Size;
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    private static float[] Scale() => [.. Enumerable.Range(0, Item).Select(i => 0.5f + (i % 7) * 0.25f)];

    private static float[] RandomCrops(int batch, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, batch * Item).Select(_ => (float)(random.NextDouble() * 2 - 1))];
    }

    /// <summary>Writes the external-data model; the scale sits 64 bytes into the data file, after bytes nobody reads.</summary>
    private string WriteExternal(string folder)
    {
        string model = Path.Combine(folder, "model.onnx");
        File.WriteAllBytes(model, ZooModels.ScaledIdentity(Size, Scale(), "model.onnx.data", offset: 64));
        ZooModels.WriteFloats(Path.Combine(folder, "model.onnx.data"), new float[16]);
        ZooModels.WriteFloats(Path.Combine(folder, "model.onnx.data"), Scale(), offset: 64);
        return model;
    }

    [Fact]
    public void An_external_data_model_loads_by_path_and_answers_as_the_same_model_with_embedded_weights()
    {
        string path = WriteExternal(_tmp.Sub("external"));
        Assert.True(new FileInfo(path).Length < 1024); // the weights really are elsewhere
        using var external = FloatReferenceSession.Load(path, new SessionSpec { Threads = 1, ExpectedInputSize = Size, MaxBatch = 4 });
        using var embedded = FloatReferenceSession.Create(ZooModels.ScaledIdentity(Size, Scale()), new SessionSpec { Name = "embedded", Threads = 1, ExpectedInputSize = Size, MaxBatch = 4 });
        var crops = RandomCrops(3, seed: 1);
        float[] a = external.Run(crops, 3), b = embedded.Run(crops, 3);
        Assert.Equal(b, a);
        var scale = Scale();
        for (int i = 0; i < crops.Length; i++) Assert.Equal(crops[i] * scale[i % Item], a[i]);
    }

    [Fact]
    public void The_low_pass_rewrite_keeps_the_external_weights_and_blurs_as_it_does_for_embedded_ones()
    {
        string path = WriteExternal(_tmp.Sub("lowpass"));
        using var external = FloatReferenceSession.Load(path, new SessionSpec { Threads = 1, LowPassSigma = 1f, ExpectedInputSize = Size, MaxBatch = 4 });
        using var embedded = FloatReferenceSession.Create(ZooModels.ScaledIdentity(Size, Scale()), new SessionSpec { Name = "embedded", Threads = 1, LowPassSigma = 1f, ExpectedInputSize = Size, MaxBatch = 4 });
        var crops = RandomCrops(2, seed: 2);
        float[] a = external.Run(crops, 2);
        Assert.Equal(embedded.Run(crops, 2), a);
        Assert.NotEqual(crops.Zip(Scale().Concat(Scale())).Select(p => p.First * p.Second), a); // it is blurred
    }

    [Fact]
    public void A_missing_data_file_fails_up_front_and_at_load_with_one_line_naming_the_model_and_the_file()
    {
        string folder = _tmp.Sub("missing");
        string path = WriteExternal(folder);
        File.Delete(Path.Combine(folder, "model.onnx.data"));
        string expected = $"model {path}: external data file 'model.onnx.data' (initializer 'scale') is missing in {folder}";
        Assert.Equal(expected, Assert.Throws<ModelLoadException>(() => OnnxSessionFactory.Validate(path, Size)).Message);
        Assert.Equal(expected, Assert.Throws<ModelLoadException>(() => OnnxSessionFactory.Load(path, new SessionSpec { Threads = 1, ExpectedInputSize = Size })).Message);
    }

    [Fact]
    public void A_truncated_data_file_fails_with_one_line_giving_its_size_and_the_bytes_needed()
    {
        string folder = _tmp.Sub("short");
        string path = WriteExternal(folder);
        using (var f = new FileStream(Path.Combine(folder, "model.onnx.data"), FileMode.Open)) f.SetLength(100);
        var e = Assert.Throws<ModelLoadException>(() => OnnxSessionFactory.Validate(path, Size));
        Assert.Equal($"model {path}: external data file 'model.onnx.data' (initializer 'scale') is 100 bytes, the model reads up to byte {64 + Item * 4}", e.Message);
    }

    [Fact]
    public void Loading_allocates_the_same_managed_memory_for_a_50MB_data_file_as_for_a_50KB_one()
    {
        (long bytes, float answer) Measure(string name, int columns)
        {
            string folder = _tmp.Sub(name);
            string path = Path.Combine(folder, "model.onnx");
            File.WriteAllBytes(path, ZooModels.WideExternal(Size, columns, "weights.bin"));
            // Written a row at a time: the test itself never holds the weights either.
            var row = Enumerable.Repeat(0.5f, columns).ToArray();
            using (var f = new FileStream(Path.Combine(folder, "weights.bin"), FileMode.Create))
                for (int r = 0; r < Item; r++) f.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(row.AsSpan()));
            var crop = RandomCrops(1, seed: 3);
            long before = GC.GetAllocatedBytesForCurrentThread();
            using var session = FloatReferenceSession.Load(path, new SessionSpec { Threads = 1, LowPassSigma = 1f, ExpectedInputSize = Size, MaxBatch = 1 });
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            return (allocated, session.Run(crop, 1)[0]);
        }

        var small = Measure("small", columns: 64);      // 48 KB of weights
        var large = Measure("large", columns: 65_536);  // 48 MB of weights
        log.WriteLine($"managed bytes allocated by Load: {small.bytes} (48 KB data file), {large.bytes} (48 MB data file)");
        // The answer is 0.5 · sum of the (blurred) crop whatever the width: the weights were really read, natively.
        Assert.Equal(small.answer, large.answer, 1e-3f);
        Assert.True(large.bytes < 2 << 20, $"loading a 48 MB external-data model allocated {large.bytes} managed bytes");
        Assert.True(Math.Abs(large.bytes - small.bytes) < 256 << 10, $"managed allocation grew from {small.bytes} to {large.bytes} bytes with the data file");
    }

    [Fact]
    public void Loading_a_model_with_48MB_of_embedded_weights_allocates_no_more_managed_memory_than_a_tiny_one()
    {
        (long bytes, float answer) Measure(string name, int columns)
        {
            var w = new float[Item * columns];
            Array.Fill(w, 0.5f);
            byte[] model = new OnnxGraphBuilder("wide_embedded")
                .AddInput("image", "batch", 3, Size, Size)
                .AddOutput("mean", "batch", 1)
                .AddInitializer("w", [Item, columns], w)
                .AddNode("Flatten", ["image"], ["flat"], OnnxAttribute.Int("axis", 1))
                .AddNode("MatMul", ["flat", "w"], ["wide"])
                .AddNode("ReduceMean", ["wide"], ["mean"], OnnxAttribute.Ints("axes", 1), OnnxAttribute.Int("keepdims", 1))
                .ToBytes();
            string path = Path.Combine(_tmp.Sub(name), "model.onnx");
            File.WriteAllBytes(path, model);
            var crop = RandomCrops(1, seed: 4);
            long before = GC.GetAllocatedBytesForCurrentThread();
            using var session = FloatReferenceSession.Load(path, new SessionSpec { Threads = 1, LowPassSigma = 1f, ExpectedInputSize = Size, MaxBatch = 1 });
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            return (allocated, session.Run(crop, 1)[0]);
        }

        var small = Measure("embedded-small", columns: 64);
        var large = Measure("embedded-large", columns: 65_536);
        log.WriteLine($"managed bytes allocated by Load: {small.bytes} (48 KB embedded), {large.bytes} (48 MB embedded)");
        Assert.Equal(small.answer, large.answer, 1e-3f);
        Assert.True(large.bytes < 2 << 20, $"loading a model with 48 MB of embedded weights allocated {large.bytes} managed bytes");
        Assert.True(Math.Abs(large.bytes - small.bytes) < 256 << 10, $"managed allocation grew from {small.bytes} to {large.bytes} bytes with the weights");
    }
}
