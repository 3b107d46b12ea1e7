using RobustCrop.Core.Models;

namespace RobustCrop.Core.Tests.Models;

public sealed class TokenPoolingTests
{
    // Three tokens of dimension 2: [1, 2], [3, 5], [8, -4].
    private static readonly float[] Tokens = [1, 2, 3, 5, 8, -4];

    [Fact]
    public void Cls_is_token_zero()
    {
        var dest = new float[2];
        TokenPooling.Pool(Tokens, 3, 2, EmbeddingPool.Cls, dest);
        Assert.Equal([1f, 2f], dest);
    }

    [Fact]
    public void Mean_averages_every_token()
    {
        var dest = new float[2];
        TokenPooling.Pool(Tokens, 3, 2, EmbeddingPool.Mean, dest);
        Assert.Equal([4f, 1f], dest);
    }

    [Fact]
    public void A_short_output_is_refused()
    {
        Assert.Throws<ArgumentException>(() => TokenPooling.Pool(Tokens, 4, 2, EmbeddingPool.Mean, new float[2]));
    }
}
