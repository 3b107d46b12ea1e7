using System.Numerics.Tensors;

namespace RobustCrop.Core.Models;

/// <summary>Fits a prototype head: the normalised mean of the normalised embeddings of each class.</summary>
public sealed class PrototypeHeadFitter(int dimension)
{
    private readonly SortedDictionary<string, (float[] Sum, int Count)> _classes = new(StringComparer.Ordinal);

    public int Images { get; private set; }

    public void Add(string label, ReadOnlySpan<float> normalisedEmbedding)
    {
        if (normalisedEmbedding.Length != dimension) throw new ArgumentException($"embedding has {normalisedEmbedding.Length} values, expected {dimension}");
        if (!_classes.TryGetValue(label, out var acc)) acc = (new float[dimension], 0);
        TensorPrimitives.Add(acc.Sum, normalisedEmbedding, acc.Sum);
        _classes[label] = (acc.Sum, acc.Count + 1);
        Images++;
    }

    /// <summary>Classes in <paramref name="classOrder"/> when given (e.g. the dataset's class list), else ordinal order.</summary>
    public ClassHead Fit(IReadOnlyList<string>? classOrder = null, float logitScale = 10f)
    {
        var names = classOrder ?? _classes.Keys.ToList();
        var missing = names.Where(n => !_classes.ContainsKey(n)).ToList();
        if (missing.Count > 0) throw new ZooException($"no reference images for class(es): {string.Join(", ", missing)}");
        var w = new float[names.Count * dimension];
        for (int k = 0; k < names.Count; k++)
        {
            var (sum, count) = _classes[names[k]];
            TensorPrimitives.Divide(sum, count, w.AsSpan(k * dimension, dimension));
        }
        return new ClassHead(HeadKind.Prototype, names, dimension, w, null, logitScale);
    }
}
