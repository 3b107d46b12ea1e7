using RobustCrop.Worker.Inference;

namespace RobustCrop.Worker.Tests.Inference;

/// <summary>ResNet18 on the CUDA execution provider: it really runs there, and answers as on the CPU.</summary>
[Trait("Category", "Gpu")]
public sealed class CudaSessionTests
{
    [GpuFact]
    public void ResNet18_runs_on_cuda_without_falling_back_and_points_where_the_cpu_does()
    {
        const int batch = 8, size = 224;
        var input = new float[batch * 3 * size * size];
        var random = new Random(5);
        for (int i = 0; i < input.Length; i++) input[i] = (float)(random.NextDouble() * 4 - 2);
        using var cuda = OnnxSessionFactory.Load(ResNet18Fixture.ModelPath, new SessionSpec { Device = DeviceSpec.Cuda(0), ExpectedInputSize = size, MaxBatch = batch });
        Assert.True(cuda.FallbackReason is null, cuda.FallbackReason);
        Assert.Equal("cuda:0", cuda.ActiveDevice);
        // Batches go through I/O binding over the provider's pinned host buffers, not managed arrays.
        Assert.True(cuda.UsesIoBinding);
        using var cpu = OnnxSessionFactory.Load(ResNet18Fixture.ModelPath, new SessionSpec { ExpectedInputSize = size, MaxBatch = batch });
        var onGpu = cuda.Run(input, batch);
        var onCpu = cpu.Run(input, batch);
        Assert.Equal(onCpu.Length, onGpu.Length);
        // cuDNN sums in another order and may use TF32: compare each image's output as a direction (what every metric
        // here reads), not value by value.
        int dim = onCpu.Length / batch;
        for (int b = 0; b < batch; b++)
        {
            var c = onCpu.AsSpan(b * dim, dim);
            var g = onGpu.AsSpan(b * dim, dim);
            double cosine = System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(c, g);
            Assert.True(cosine > 0.9999, $"image {b}: cosine {cosine} between the CPU and CUDA outputs");
        }
    }

    [GpuFact]
    public void Uint8_crops_through_io_binding_answer_as_on_the_cpu_and_a_smaller_last_batch_rebinds()
    {
        const int size = 224;
        var norm = new RobustCrop.Core.Imaging.PixelNormalization(RobustCrop.Core.Imaging.ChannelOrder.Rgb, 1 / 255f, [0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f]);
        using var cuda = OnnxSessionFactory.Load(ResNet18Fixture.ModelPath, new SessionSpec { Device = DeviceSpec.Cuda(0), ExpectedInputSize = size, MaxBatch = 8, NormaliseInGraph = norm });
        using var cpu = OnnxSessionFactory.Load(ResNet18Fixture.ModelPath, new SessionSpec { ExpectedInputSize = size, MaxBatch = 8, NormaliseInGraph = norm });
        Assert.True(cuda.UsesIoBinding && cuda.TakesBytes);
        var bytes = new byte[8 * 3 * size * size];
        new Random(9).NextBytes(bytes);
        foreach (int batch in new[] { 8, 3, 8 })
        {
            var onGpu = new float[batch * cuda.OutputDim];
            var onCpu = new float[batch * cpu.OutputDim];
            cuda.RunBytes(bytes.AsSpan(0, batch * 3 * size * size), batch, onGpu);
            cpu.RunBytes(bytes.AsSpan(0, batch * 3 * size * size), batch, onCpu);
            int dim = cpu.OutputDim;
            for (int b = 0; b < batch; b++)
            {
                double cosine = System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(onCpu.AsSpan(b * dim, dim), onGpu.AsSpan(b * dim, dim));
                Assert.True(cosine > 0.9999, $"batch {batch}, image {b}: cosine {cosine}");
            }
        }
    }
}
