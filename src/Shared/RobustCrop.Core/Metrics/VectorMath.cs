using System.Numerics.Tensors;

namespace RobustCrop.Core.Metrics;

public static class VectorMath
{
    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b) => TensorPrimitives.Dot(a, b);

    /// <summary>Scales v to unit length in place; a zero vector stays zero (its cosine to anything is then 0).</summary>
    public static void NormaliseInPlace(Span<float> v)
    {
        float norm = TensorPrimitives.Norm(v);
        if (norm > 0 && float.IsFinite(norm)) TensorPrimitives.Divide(v, norm, v);
    }

    /// <summary>Numerically stable softmax into <paramref name="dest"/>; returns the arg-max index.</summary>
    public static int Softmax(ReadOnlySpan<float> logits, Span<float> dest)
    {
        TensorPrimitives.SoftMax(logits, dest);
        return TensorPrimitives.IndexOfMax(logits);
    }

    public static int ArgMax(ReadOnlySpan<float> v) => TensorPrimitives.IndexOfMax(v);
}
