using RobustCrop.IO.Onnx;

namespace RobustCrop.Cli.Commands;

/// <summary>
/// The near-zero-cost model the bench's feed capacity is measured with: the input and output shapes of the real model
/// (so crop assembly, the head and the metrics do the same work), and in between only a global average pool and a
/// 3 × D projection — microseconds per batch, so what is measured is everything RobustCrop does around a model.
/// </summary>
internal static class FeedModel
{
    public static void Write(string path, string inputName, int inputSize, int outputDim)
    {
        var projection = new float[3 * outputDim];
        // Distinct columns: crops of different colour get different vectors, so the metrics see real cosines.
        for (int i = 0; i < projection.Length; i++) projection[i] = MathF.Sin(i + 1);
        byte[] model = new OnnxGraphBuilder("feed_capacity")
            .AddInput(inputName, "batch", 3, inputSize, inputSize)
            .AddOutput("output", "batch", outputDim)
            .AddInitializer("projection", [3, outputDim], projection)
            .AddNode("GlobalAveragePool", [inputName], ["pooled"])
            .AddNode("Flatten", ["pooled"], ["flat"], OnnxAttribute.Int("axis", 1))
            .AddNode("MatMul", ["flat", "projection"], ["output"])
            .ToBytes();
        File.WriteAllBytes(path, model);
    }
}
