namespace RobustCrop.Core.Models;

/// <summary>
/// Reduces one image's <c>[tokens, D]</c> output (row-major, what ViT, CLIP and DINOv2 exports often return) to the
/// D-vector the metrics compare: the CLS token (row 0, what the models' own heads read) or the mean of all rows.
/// </summary>
public static class TokenPooling
{
    public static void Pool(ReadOnlySpan<float> tokens, int tokenCount, int dim, EmbeddingPool pool, Span<float> dest)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tokenCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(dim, 1);
        if (tokens.Length < tokenCount * dim) throw new ArgumentException($"output holds {tokens.Length} floats, {tokenCount}x{dim} needed", nameof(tokens));
        if (dest.Length < dim) throw new ArgumentException($"destination holds {dest.Length} floats, needs {dim}", nameof(dest));
        dest = dest[..dim];
        tokens[..dim].CopyTo(dest);
        if (pool == EmbeddingPool.Cls) return;
        // Summed in double: a few hundred tokens of float32 lose bits otherwise, and this is per crop, not per pixel.
        for (int d = 0; d < dim; d++)
        {
            double sum = 0;
            for (int t = 0; t < tokenCount; t++) sum += tokens[t * dim + d];
            dest[d] = (float)(sum / tokenCount);
        }
    }
}
