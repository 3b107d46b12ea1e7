using System.Numerics.Tensors;

namespace RobustCrop.Core.Metrics;

/// <summary>
/// nn_changed_1px, the retrieval reading of "the representation changed": an image counts when the nearest neighbour of
/// any of its one-pixel-shifted embeddings in a gallery differs from the nearest neighbour of its base embedding. The
/// gallery is the run's own base embeddings (one per image of the same model and dataset), the image itself excluded, or
/// a gallery the user gives (<c>--gallery</c>), searched whole. Nearest = the largest cosine, ties to the lower index, so the answer is deterministic.
/// </summary>
/// <remarks>Exact, brute force: O(images² · shifts · D), which is why the aggregator only runs it up to
/// <see cref="MaxGallery"/> images per model and dataset (an approximate index is the tool past that).</remarks>
public sealed class NearestNeighbourChange
{
    /// <summary>The largest gallery searched exactly (4,096 images × 9 queries × 4,096 × 512-d ≈ 10¹¹ multiply-adds).</summary>
    public const int MaxGallery = 4096;

    private readonly float[][] _gallery;

    /// <param name="gallery">One base embedding per image; every vector the same length. Normalised here (a copy).</param>
    public NearestNeighbourChange(IReadOnlyList<float[]> gallery)
    {
        ArgumentNullException.ThrowIfNull(gallery);
        _gallery = [.. gallery.Select(Unit)];
    }

    public int Count => _gallery.Length;

    /// <summary>The index of the gallery vector most similar to <paramref name="query"/>, skipping <paramref name="exclude"/>; -1 when none is left.</summary>
    public int Nearest(ReadOnlySpan<float> query, int exclude)
    {
        var q = Unit(query.ToArray());
        int best = -1;
        float bestCos = float.NegativeInfinity;
        for (int i = 0; i < _gallery.Length; i++)
        {
            if (i == exclude) continue;
            float c = TensorPrimitives.Dot(q, _gallery[i]);
            if (c > bestCos) { bestCos = c; best = i; }
        }
        return best;
    }

    /// <summary>Whether any shifted embedding of gallery image <paramref name="self"/> has another nearest neighbour than its base; null when the gallery holds no other image.</summary>
    public bool? Changed(int self, IEnumerable<float[]> shifted)
    {
        if (_gallery.Length < 2) return null;
        return ChangedFrom(_gallery[self], self, shifted);
    }

    /// <summary>The same against a gallery the image is not part of: whether any shifted embedding's nearest neighbour differs
    /// from that of <paramref name="baseEmbedding"/>; null when the gallery is empty.</summary>
    public bool? Changed(float[] baseEmbedding, IEnumerable<float[]> shifted)
    {
        ArgumentNullException.ThrowIfNull(baseEmbedding);
        if (_gallery.Length == 0) return null;
        return ChangedFrom(baseEmbedding, -1, shifted);
    }

    private bool ChangedFrom(ReadOnlySpan<float> baseEmbedding, int exclude, IEnumerable<float[]> shifted)
    {
        ArgumentNullException.ThrowIfNull(shifted);
        int baseNn = Nearest(baseEmbedding, exclude);
        foreach (var s in shifted)
            if (Nearest(s, exclude) != baseNn) return true;
        return false;
    }

    private static float[] Unit(float[] v)
    {
        var copy = (float[])v.Clone();
        float norm = TensorPrimitives.Norm(copy);
        if (norm > 0) TensorPrimitives.Divide(copy, norm, copy);
        return copy;
    }
}
