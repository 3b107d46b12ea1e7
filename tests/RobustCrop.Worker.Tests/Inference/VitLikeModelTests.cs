using RobustCrop.Core.Imaging;
using RobustCrop.Core.Metrics;
using RobustCrop.Core.Models;
using RobustCrop.Worker.Inference;

namespace RobustCrop.Worker.Tests.Inference;

/// <summary>
/// The ViT-like synthetic model (patch embedding with kernel = stride = 16, tokens, CLS / mean): exactly invariant to
/// cyclic shifts by multiples of 16, which only permute the patches, and not to 1-px ones; and the pooling is the one
/// asked for (CLS − mean = cls · T/(T+1) by construction).
/// </summary>
public sealed class VitLikeModelTests
{
    private const int Size = 48, Tokens = 9, Dim = 6;
    private static readonly ZooModels.VitWeights Weights = ZooModels.VitWeights.Random(embed: 5, dim: Dim, seed: 11);

    private static FloatReferenceSession Open(EmbeddingPool pool) => FloatReferenceSession.Create(ZooModels.VitLike(Weights),
        new SessionSpec { Name = "vit", Threads = 1, ExpectedInputSize = Size, MaxBatch = 8, Io = new ModelIo(Pool: pool) });

    private static readonly RgbImage Scene = RandomScene(60, 56, seed: 12);

    private static RgbImage RandomScene(int w, int h, int seed)
    {
        var pixels = new byte[w * h * 3];
        new Random(seed).NextBytes(pixels);
        return new RgbImage(w, h, pixels);
    }

    /// <summary>The base crop at (4, 4) rolled by each (rollX, rollY), as the pipeline writes them.</summary>
    private static float[] Crops(params (int X, int Y)[] rolls)
    {
        int item = 3 * Size * Size;
        var crops = new float[rolls.Length * item];
        for (int i = 0; i < rolls.Length; i++)
            CropWriter.WriteRolled(Scene, 4, 4, Size, rolls[i].X, rolls[i].Y, PixelNormalization.ImageNet, crops.AsSpan(i * item, item));
        return crops;
    }

    [Theory]
    [InlineData(EmbeddingPool.Cls)]
    [InlineData(EmbeddingPool.Mean)]
    public void Rolls_by_multiples_of_16_leave_the_embedding_unchanged_and_1px_rolls_do_not(EmbeddingPool pool)
    {
        using var session = Open(pool);
        float[] output = session.Run(Crops((0, 0), (16, 0), (0, 32), (-16, 16), (1, 0), (0, 1), (17, 0)), 7);
        var vectors = Enumerable.Range(0, 7).Select(i => output.AsSpan(i * Dim, Dim).ToArray()).ToArray();
        for (int i = 1; i <= 3; i++)
            for (int d = 0; d < Dim; d++)
                Assert.Equal(vectors[0][d], vectors[i][d], 1e-5f); // summation order is all that differs
        for (int i = 4; i <= 6; i++)
        {
            float maxDiff = Enumerable.Range(0, Dim).Max(d => MathF.Abs(vectors[0][d] - vectors[i][d]));
            Assert.True(maxDiff > 1e-2f, $"roll {i} moved the embedding by only {maxDiff}");
            Assert.True(Cosine(vectors[0], vectors[i]) < 0.99999f);
        }
    }

    [Fact]
    public void Cls_pooling_reads_token_0_and_mean_pooling_averages_all_tokens()
    {
        using var cls = Open(EmbeddingPool.Cls);
        using var mean = Open(EmbeddingPool.Mean);
        float[] crop = Crops((0, 0));
        float[] c = cls.Run(crop, 1), m = mean.Run(crop, 1);
        // Token 0 = cls + μ and the others average μ, so their mean is μ + cls/(T+1): CLS − mean = cls · T/(T+1).
        for (int d = 0; d < Dim; d++) Assert.Equal(Weights.Cls[d] * Tokens / (Tokens + 1f), c[d] - m[d], 1e-4f);
    }

    private static float Cosine(float[] a, float[] b) =>
        VectorMath.Dot(a, b) / MathF.Sqrt(VectorMath.Dot(a, a) * VectorMath.Dot(b, b));
}
