using RobustCrop.IO.Onnx;

namespace RobustCrop.TestSupport;

/// <summary>
/// Tiny image models with hand-computable outputs. All take "image" [batch,3,S,S]; the random
/// weights come from <see cref="Random"/> seeded by the caller and are exposed so tests can
/// compute expected answers.
/// </summary>
public static class TinyModels
{
    public const string InputName = "image";

    /// <summary>[batch,3]: the per-channel mean.</summary>
    public static byte[] MeanColour(int size = 8) => new OnnxGraphBuilder("mean_colour")
        .AddInput(InputName, "batch", 3, size, size)
        .AddOutput("mean", "batch", 3)
        .AddNode("ReduceMean", [InputName], ["mean"], OnnxAttribute.Ints("axes", 2, 3), OnnxAttribute.Int("keepdims", 0))
        .ToBytes();

    /// <summary>[batch,1]: the mean over all channels and pixels.</summary>
    public static byte[] GlobalAverage(int size = 8) => new OnnxGraphBuilder("global_average")
        .AddInput(InputName, "batch", 3, size, size)
        .AddOutput("average", "batch", 1)
        .AddNode("ReduceMean", [InputName], ["average4d"], OnnxAttribute.Ints("axes", 1, 2, 3), OnnxAttribute.Int("keepdims", 1))
        .AddNode("Flatten", ["average4d"], ["average"], OnnxAttribute.Int("axis", 1))
        .ToBytes();

    /// <summary>[batch,classes]: the RGB of pixel (0,0) times <see cref="TopLeftPixelWeights"/>; blind to every other pixel.</summary>
    public static byte[] TopLeftPixelClasses(int classes, int seed, int size = 8) => new OnnxGraphBuilder("top_left_pixel")
        .AddInput(InputName, "batch", 3, size, size)
        .AddOutput("logits", "batch", classes)
        .AddInt64Initializer("starts", [2], [0, 0])
        .AddInt64Initializer("ends", [2], [1, 1])
        .AddInt64Initializer("axes", [2], [2, 3])
        .AddInitializer("weights", [3, classes], TopLeftPixelWeights(classes, seed))
        .AddNode("Slice", [InputName, "starts", "ends", "axes"], ["pixel"])
        .AddNode("Flatten", ["pixel"], ["rgb"], OnnxAttribute.Int("axis", 1))
        .AddNode("MatMul", ["rgb", "weights"], ["logits"])
        .ToBytes();

    /// <summary>Row-major [3, classes].</summary>
    public static float[] TopLeftPixelWeights(int classes, int seed) => RandomWeights(3 * classes, seed);

    /// <summary>[batch,classes]: the flattened image times <see cref="RandomProjectionWeights"/>, so any pixel change moves it.</summary>
    public static byte[] RandomProjection(int size, int classes, int seed) => new OnnxGraphBuilder("random_projection")
        .AddInput(InputName, "batch", 3, size, size)
        .AddOutput("logits", "batch", classes)
        .AddInitializer("weights", [3L * size * size, classes], RandomProjectionWeights(size, classes, seed))
        .AddNode("Flatten", [InputName], ["flat"], OnnxAttribute.Int("axis", 1))
        .AddNode("MatMul", ["flat", "weights"], ["logits"])
        .ToBytes();

    /// <summary>Row-major [3*size*size, classes].</summary>
    public static float[] RandomProjectionWeights(int size, int classes, int seed) => RandomWeights(3 * size * size * classes, seed);

    /// <summary>[batch,3] of NaN for every input: sqrt(-|mean| - 1).</summary>
    public static byte[] ReturnsNaN(int size = 8) => new OnnxGraphBuilder("returns_nan")
        .AddInput(InputName, "batch", 3, size, size)
        .AddOutput("nan", "batch", 3)
        .AddInitializer("one", [], [1f])
        .AddNode("ReduceMean", [InputName], ["mean"], OnnxAttribute.Ints("axes", 2, 3), OnnxAttribute.Int("keepdims", 0))
        .AddNode("Abs", ["mean"], ["abs"])
        .AddNode("Neg", ["abs"], ["negative"])
        .AddNode("Sub", ["negative", "one"], ["below_minus_one"])
        .AddNode("Sqrt", ["below_minus_one"], ["nan"])
        .ToBytes();

    /// <summary>[batch,3] declared, but reshaped to a fixed [2,3]: runs at batch 2 and fails inside ONNX Runtime at any
    /// other batch (a model that breaks while running, not at load).</summary>
    public static byte[] FailsUnlessBatchTwo(int size = 8) => new OnnxGraphBuilder("fails_unless_batch_two")
        .AddInput(InputName, "batch", 3, size, size)
        .AddOutput("mean", "batch", 3)
        .AddInt64Initializer("shape", [2], [2, 3])
        .AddNode("ReduceMean", [InputName], ["channel_mean"], OnnxAttribute.Ints("axes", 2, 3), OnnxAttribute.Int("keepdims", 0))
        .AddNode("Reshape", ["channel_mean", "shape"], ["mean"])
        .ToBytes();

    private static float[] RandomWeights(int count, int seed)
    {
        var random = new Random(seed);
        var weights = new float[count];
        for (int i = 0; i < count; i++)
        {
            weights[i] = (float)(random.NextDouble() * 2 - 1);
        }
        return weights;
    }
}
