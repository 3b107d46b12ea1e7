using System.Runtime.InteropServices;
using RobustCrop.IO.Onnx;

namespace RobustCrop.TestSupport;

/// <summary>
/// The synthetic zoo (issue 12): models shaped like what exporters produce (NHWC, float16, several outputs, external
/// data, a ViT's patch tokens), each small enough to run in milliseconds and with an answer a test can compute by hand.
/// The "identity" ones return their input flattened, so a test sees exactly the tensor the model was fed.
/// </summary>
public static class ZooModels
{
    public const string InputName = "image";

    /// <summary>[batch, 3·S·S]: the NCHW input, flattened (channel planes one after another).</summary>
    public static byte[] IdentityNchw(int size) => new OnnxGraphBuilder("identity_nchw")
        .AddInput(InputName, "batch", 3, size, size)
        .AddOutput("pixels", "batch", 3 * size * size)
        .AddNode("Flatten", [InputName], ["pixels"], OnnxAttribute.Int("axis", 1))
        .ToBytes();

    /// <summary>[batch, S·S·3]: an NHWC input [batch, S, S, 3], flattened (RGB of each pixel together).</summary>
    public static byte[] IdentityNhwc(int size) => new OnnxGraphBuilder("identity_nhwc")
        .AddInput(InputName, "batch", size, size, 3)
        .AddOutput("pixels", "batch", 3 * size * size)
        .AddNode("Flatten", [InputName], ["pixels"], OnnxAttribute.Int("axis", 1))
        .ToBytes();

    /// <summary>A float16 model (input and output float16, as <c>model.half()</c> exports): the input, flattened.</summary>
    public static byte[] IdentityHalf(int size) => new OnnxGraphBuilder("identity_fp16")
        .AddHalfInput(InputName, "batch", 3, size, size)
        .AddHalfOutput("pixels", "batch", 3 * size * size)
        .AddNode("Flatten", [InputName], ["pixels"], OnnxAttribute.Int("axis", 1))
        .ToBytes();

    /// <summary>Two outputs: "mean" [batch, 3] (the per-channel mean) first, then "pixels" [batch, 3·S·S] (the input).</summary>
    public static byte[] TwoOutputs(int size) => new OnnxGraphBuilder("two_outputs")
        .AddInput(InputName, "batch", 3, size, size)
        .AddOutput("mean", "batch", 3)
        .AddOutput("pixels", "batch", 3 * size * size)
        .AddNode("ReduceMean", [InputName], ["mean"], OnnxAttribute.Ints("axes", 2, 3), OnnxAttribute.Int("keepdims", 0))
        .AddNode("Flatten", [InputName], ["pixels"], OnnxAttribute.Int("axis", 1))
        .ToBytes();

    /// <summary>
    /// [batch, 3·S·S]: the flattened input times <paramref name="scale"/> element-wise, with <c>scale</c> stored as
    /// external data (<paramref name="location"/> at <paramref name="offset"/>) or embedded when <paramref name="location"/> is null.
    /// </summary>
    public static byte[] ScaledIdentity(int size, float[] scale, string? location = null, long offset = 0)
    {
        var b = new OnnxGraphBuilder("scaled_identity")
            .AddInput(InputName, "batch", 3, size, size)
            .AddOutput("pixels", "batch", 3 * size * size);
        long[] dims = [1, 3L * size * size];
        b = location is null ? b.AddInitializer("scale", dims, scale) : b.AddExternalInitializer("scale", dims, location, offset);
        return b.AddNode("Flatten", [InputName], ["flat"], OnnxAttribute.Int("axis", 1))
            .AddNode("Mul", ["flat", "scale"], ["pixels"])
            .ToBytes();
    }

    /// <summary>
    /// [batch, 1]: the mean of flatten(input) · W over W's <paramref name="columns"/> columns, W [3·S·S, columns] stored
    /// as external data; <paramref name="columns"/> sets the data file's size (3·S·S·columns·4 bytes) without changing the
    /// output's. W is all <paramref name="weight"/>, so the answer is weight · sum(input).
    /// </summary>
    public static byte[] WideExternal(int size, int columns, string location) => new OnnxGraphBuilder("wide_external")
        .AddInput(InputName, "batch", 3, size, size)
        .AddOutput("mean", "batch", 1)
        .AddExternalInitializer("w", [3L * size * size, columns], location, 0)
        .AddNode("Flatten", [InputName], ["flat"], OnnxAttribute.Int("axis", 1))
        .AddNode("MatMul", ["flat", "w"], ["wide"])
        .AddNode("ReduceMean", ["wide"], ["mean"], OnnxAttribute.Ints("axes", 1), OnnxAttribute.Int("keepdims", 1))
        .ToBytes();

    /// <summary>Writes <paramref name="data"/> as the little-endian float32 bytes exporters put in a .data file.</summary>
    public static void WriteFloats(string path, ReadOnlySpan<float> data, long offset = 0)
    {
        using var f = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write);
        f.Position = offset;
        f.Write(MemoryMarshal.AsBytes(data));
    }

    public const int Patch = 16;

    /// <summary>
    /// A ViT-like model with symbolic spatial size: a patch embedding (Conv, kernel = stride = 16, <paramref name="embed"/>
    /// channels) turns the image into tokens, a projection maps each to <paramref name="dim"/>, and a CLS token
    /// (<see cref="VitWeights.Cls"/> plus the mean of the patch tokens, standing in for attention) is put first:
    /// output "tokens" [batch, 1 + (S/16)², dim]. Rolling the image by a multiple of 16 only permutes the patch
    /// tokens, so both CLS and mean pooling are exactly invariant to it; a 1-px roll changes every patch.
    /// </summary>
    public static byte[] VitLike(VitWeights w) => new OnnxGraphBuilder("vit_like")
        .AddInput(InputName, "batch", 3, "height", "width")
        .AddOutput("tokens", "batch", "tokens", w.Dim)
        .AddInitializer("patch_w", [w.Embed, 3, Patch, Patch], w.PatchWeights)
        .AddInitializer("proj", [w.Embed, w.Dim], w.Projection)
        .AddInitializer("cls", [1, 1, w.Dim], w.Cls)
        .AddInt64Initializer("token_shape", [3], [0, w.Embed, -1])
        .AddNode("Conv", [InputName, "patch_w"], ["patches"],
            OnnxAttribute.Ints("kernel_shape", Patch, Patch), OnnxAttribute.Ints("strides", Patch, Patch))
        .AddNode("Reshape", ["patches", "token_shape"], ["by_channel"])
        .AddNode("Transpose", ["by_channel"], ["embedded"], OnnxAttribute.Ints("perm", 0, 2, 1))
        .AddNode("MatMul", ["embedded", "proj"], ["patch_tokens"])
        .AddNode("ReduceMean", ["patch_tokens"], ["token_mean"], OnnxAttribute.Ints("axes", 1), OnnxAttribute.Int("keepdims", 1))
        .AddNode("Add", ["token_mean", "cls"], ["cls_token"])
        .AddNode("Concat", ["cls_token", "patch_tokens"], ["tokens"], OnnxAttribute.Int("axis", 1))
        .ToBytes();

    public sealed record VitWeights(int Embed, int Dim, float[] PatchWeights, float[] Projection, float[] Cls)
    {
        public static VitWeights Random(int embed, int dim, int seed)
        {
            var r = new Random(seed);
            float[] Next(int n) => [.. Enumerable.Range(0, n).Select(_ => (float)(r.NextDouble() * 2 - 1))];
            return new VitWeights(embed, dim, Next(embed * 3 * Patch * Patch), Next(embed * dim), Next(dim));
        }
    }
}
