using RobustCrop.Worker.Inference;

namespace RobustCrop.Worker.Tests.Inference;

public sealed class ModelSignatureTests
{
    [Theory]
    [InlineData(new long[] { 512 }, 1, 512)]            // [B, D]
    [InlineData(new long[] { 512, 1, 1 }, 1, 512)]      // [B, D, 1, 1] (a CNN's pooled features)
    [InlineData(new long[] { 197, 768 }, 197, 768)]     // [B, tokens, D] (ViT-B/16 at 224: 1 + 14² tokens)
    [InlineData(new long[] { 197, 768, 1 }, 197, 768)]
    [InlineData(new long[] { 3, 8, 8 }, 1, 192)]        // anything else is flattened, as before
    public void Reading_pools_token_outputs_and_flattens_the_rest(long[] trailing, int tokens, int dim)
    {
        Assert.Equal((tokens, dim), ModelSignature.Reading(trailing));
    }
}
