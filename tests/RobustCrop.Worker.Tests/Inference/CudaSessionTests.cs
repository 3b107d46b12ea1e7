using RobustCrop.Worker.Inference;

namespace RobustCrop.Worker.Tests.Inference;

/// <summary>ResNet18 on the CUDA execution provider: it really runs there, and answers as on the CPU.</summary>
[Trait("Category", "Gpu")]
public sealed class CudaSessionTests
{
    [GpuFact]
    public void ResNet18_runs_on_cuda_without_falling_back_and_points_where_the_cpu_float_oracle_does()
    {
        const int batch = 8, size = 224, item = 3 * size * size;
        var norm = RobustCrop.Core.Imaging.PixelNormalization.ImageNet;
        var scene = new RobustCrop.Core.Imaging.RgbImage(size + 8, size + 8);
        new Random(5).NextBytes(scene.Pixels);
        // The same crops twice: uint8 for the session (normalised in its graph), CPU-normalised floats for the oracle.
        var bytes = new byte[batch * item];
        var input = new float[batch * item];
        for (int b = 0; b < batch; b++)
        {
            RobustCrop.Core.Imaging.CropBytes.WriteRolled(scene, b, b, size, b, -b, bytes.AsSpan(b * item, item));
            CropWriter.WriteRolled(scene, b, b, size, b, -b, norm, input.AsSpan(b * item, item));
        }
        using var cuda = OnnxSessionFactory.Load(ResNet18Fixture.ModelPath, new SessionSpec { Device = DeviceSpec.Cuda(0), ExpectedInputSize = size, MaxBatch = batch, Normalization = norm });
        Assert.True(cuda.FallbackReason is null, cuda.FallbackReason);
        Assert.Equal("cuda:0", cuda.ActiveDevice);
        // Batches go through I/O binding over the provider's pinned host buffers, not managed arrays.
        Assert.True(cuda.UsesIoBinding);
        using var cpu = FloatReferenceSession.Load(ResNet18Fixture.ModelPath, new SessionSpec { ExpectedInputSize = size, MaxBatch = batch });
        var onGpu = cuda.Run(bytes, batch);
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
        using var cuda = OnnxSessionFactory.Load(ResNet18Fixture.ModelPath, new SessionSpec { Device = DeviceSpec.Cuda(0), ExpectedInputSize = size, MaxBatch = 8, Normalization = norm });
        using var cpu = OnnxSessionFactory.Load(ResNet18Fixture.ModelPath, new SessionSpec { ExpectedInputSize = size, MaxBatch = 8, Normalization = norm });
        Assert.True(cuda.UsesIoBinding);
        var bytes = new byte[8 * 3 * size * size];
        new Random(9).NextBytes(bytes);
        foreach (int batch in new[] { 8, 3, 8 })
        {
            var onGpu = new float[batch * cuda.OutputDim];
            var onCpu = new float[batch * cpu.OutputDim];
            cuda.Run(bytes.AsSpan(0, batch * 3 * size * size), batch, onGpu);
            cpu.Run(bytes.AsSpan(0, batch * 3 * size * size), batch, onCpu);
            int dim = cpu.OutputDim;
            for (int b = 0; b < batch; b++)
            {
                double cosine = System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(onCpu.AsSpan(b * dim, dim), onGpu.AsSpan(b * dim, dim));
                Assert.True(cosine > 0.9999, $"batch {batch}, image {b}: cosine {cosine}");
            }
        }
    }
}
