namespace RobustCrop.Core.Metrics;

/// <summary>
/// The model's answer for every crop of one image's plan, indexed like <see cref="Geometry.CropPlan.Crops"/>:
/// an L2-normalised vector per crop (embedding, or probability vector for logits models) and,
/// when the model has classes, a prediction and its confidence.
/// </summary>
public sealed class CropOutputs
{
    public CropOutputs(int count, int dimension, bool hasClasses)
    {
        Count = count;
        Dimension = dimension;
        Vectors = new float[checked(count * dimension)];
        Predictions = hasClasses ? new int[count] : null;
        Confidences = hasClasses ? new float[count] : null;
    }

    public int Count { get; }
    public int Dimension { get; }

    /// <summary>Row-major count × dimension, each row L2-normalised.</summary>
    public float[] Vectors { get; }

    public int[]? Predictions { get; }
    public float[]? Confidences { get; }

    public bool HasClasses => Predictions is not null;

    public Span<float> Vector(int crop) => Vectors.AsSpan(crop * Dimension, Dimension);

    /// <summary>
    /// Cosine of two normalised outputs. Identical outputs give exactly 1: a normalised vector's dot product with itself
    /// rounds to 0.99999988, which would make one crop reached twice — under another index, as a moved view's crop equal to
    /// an integer shift's (subpixel:1) — read differently from the same index compared with itself.
    /// </summary>
    public float Cosine(int a, int b)
    {
        Span<float> x = Vector(a), y = Vector(b);
        return a == b || x.SequenceEqual(y) ? 1f : VectorMath.Dot(x, y);
    }
}
