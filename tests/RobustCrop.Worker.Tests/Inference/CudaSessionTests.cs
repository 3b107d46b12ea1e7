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
        using var cuda = OnnxSessionFactory.Load(ResNet18Fixture.ModelPath, DeviceSpec.Cuda(0), threads: 0, lowPassSigma: null, expectedInputSize: size, maxBatch: batch);
        Assert.True(cuda.FallbackReason is null, cuda.FallbackReason);
        Assert.Equal("cuda:0", cuda.ActiveDevice);
        using var cpu = OnnxSessionFactory.Load(ResNet18Fixture.ModelPath, DeviceSpec.Cpu, threads: 0, lowPassSigma: null, expectedInputSize: size, maxBatch: batch);
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
}
