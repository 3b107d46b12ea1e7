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

    public float Cosine(int a, int b) => VectorMath.Dot(Vector(a), Vector(b));
}
