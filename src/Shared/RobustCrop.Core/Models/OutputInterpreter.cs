using System.Numerics.Tensors;
using RobustCrop.Core.Metrics;

namespace RobustCrop.Core.Models;

/// <summary>
/// DESIGN §3: turns one raw model output row into the normalised vector that cosines compare and, where the model
/// has classes, a prediction and confidence. Logits: vector = softmax probabilities (L2-normalised), prediction = arg-max.
/// Embedding: vector = L2-normalised embedding; a head, when present, gives the classes.
/// </summary>
public sealed class OutputInterpreter
{
    private readonly OutputKind _kind;
    private readonly ClassHead? _head;

    private readonly ClassLabels? _labels;

    public OutputInterpreter(OutputKind kind, int rawDimension, ClassHead? head, ClassLabels? labels = null)
    {
        if (head is not null && kind != OutputKind.Embedding) throw new ZooException("a head applies to embedding outputs only");
        if (head is not null && head.Dimension != rawDimension)
            throw new ZooException($"head expects {head.Dimension}-d embeddings, the model outputs {rawDimension}");
        _kind = kind;
        _head = head;
        RawDimension = rawDimension;
        int classes = ClassCount;
        if (labels is not null && labels.Count != classes)
            throw new ZooException(classes == 0 ? "labels: the model has no classes (a logits output or a head)"
                : $"labels: the file names {labels.Count} classes, the model has {classes}");
        _labels = labels;
    }

    public int RawDimension { get; }

    /// <summary>Length of the vector cosines are computed on (the raw output's length).</summary>
    public int VectorDimension => RawDimension;

    public bool HasClasses => _kind == OutputKind.Logits || _head is not null;

    public int ClassCount => _kind == OutputKind.Logits ? RawDimension : _head?.Classes.Count ?? 0;

    public string? ClassName(int k) => _head is not null ? _head.Classes[k] : _labels?.NameOf(k);

    /// <summary>
    /// Whether class <paramref name="k"/> is the input's <paramref name="datasetLabel"/>: through the zoo's labels file
    /// where one is given (a label it does not list is wrong: the model cannot name it), else by class name; null when
    /// the classes have no names to compare (logits without a labels file).
    /// </summary>
    public bool? IsLabel(int k, string datasetLabel)
        => _labels is not null ? _labels.ClassOf(datasetLabel) == k : ClassName(k) is { } name ? name == datasetLabel : null;

    /// <summary>
    /// The <paramref name="k"/> most probable classes of crop <paramref name="crop"/>, most probable first (ties: lower
    /// class first), recovered from the vector <see cref="Interpret"/> wrote: a logits model's probabilities are that
    /// vector rescaled to sum 1, a head's are the softmax of its logits on the normalised embedding. Empty without classes.
    /// </summary>
    public IReadOnlyList<(int Class, float Probability)> TopK(CropOutputs outputs, int crop, int k)
    {
        if (!outputs.HasClasses || k <= 0) return [];
        var v = outputs.Vector(crop);
        var probabilities = new float[ClassCount];
        if (_kind == OutputKind.Logits)
            TensorPrimitives.Divide(v, TensorPrimitives.Sum(v), probabilities);
        else
        {
            _head!.Logits(v, probabilities);
            VectorMath.Softmax(probabilities, probabilities);
        }
        return Enumerable.Range(0, probabilities.Length).OrderByDescending(c => probabilities[c]).ThenBy(c => c)
            .Take(k).Select(c => (c, probabilities[c])).ToList();
    }

    /// <summary>
    /// A combining RICS mode's output (DESIGN §5b): the weighted mean of the given crops' outputs in the space cosines
    /// compare, renormalised, written as row <paramref name="row"/> of <paramref name="target"/> with its prediction. An
    /// embedding model averages its normalised embeddings and applies its head to the mean (the head of a combined
    /// embedding, as of any other). A logits model averages its class probabilities (each crop's vector rescaled to sum 1):
    /// the classic ensemble, whose mean is itself a distribution, so its arg-max and maximum are the prediction and confidence.
    /// </summary>
    /// <param name="weights">One per crop, summing to 1.</param>
    /// <param name="scratch">At least <see cref="ClassCount"/> + <see cref="VectorDimension"/> floats, reused across calls.</param>
    public void Combine(CropOutputs source, ReadOnlySpan<int> crops, ReadOnlySpan<float> weights, CropOutputs target, int row, Span<float> scratch)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        if (crops.Length != weights.Length) throw new ArgumentException("one weight per crop", nameof(weights));
        var mean = scratch[..VectorDimension];
        mean.Clear();
        bool logits = _kind == OutputKind.Logits;
        for (int i = 0; i < crops.Length; i++)
        {
            var v = source.Vector(crops[i]);
            float scale = logits ? weights[i] / TensorPrimitives.Sum(v) : weights[i];
            TensorPrimitives.MultiplyAdd(v, scale, mean, mean);
        }
        var rest = scratch[VectorDimension..];
        if (!logits)
        {
            Interpret(mean, target, row, rest);
            return;
        }
        var t = target.Vector(row);
        mean.CopyTo(t);
        if (target.HasClasses)
        {
            int arg = VectorMath.ArgMax(t);
            target.Predictions![row] = arg;
            target.Confidences![row] = t[arg];
        }
        VectorMath.NormaliseInPlace(t);
    }

    /// <summary>Writes the normalised vector of crop <paramref name="crop"/> into <paramref name="outputs"/> and its prediction.</summary>
    /// <param name="scratch">At least <see cref="ClassCount"/> floats, reused across calls.</param>
    public void Interpret(ReadOnlySpan<float> raw, CropOutputs outputs, int crop, Span<float> scratch)
    {
        var v = outputs.Vector(crop);
        if (_kind == OutputKind.Logits)
        {
            int arg = VectorMath.Softmax(raw, v);
            if (outputs.HasClasses) { outputs.Predictions![crop] = arg; outputs.Confidences![crop] = v[arg]; }
            VectorMath.NormaliseInPlace(v);
            return;
        }
        raw.CopyTo(v);
        VectorMath.NormaliseInPlace(v);
        if (_head is not null && outputs.HasClasses)
        {
            var logits = scratch[.._head.Classes.Count];
            _head.Logits(v, logits);
            int arg = VectorMath.Softmax(logits, logits);
            outputs.Predictions![crop] = arg;
            outputs.Confidences![crop] = logits[arg];
        }
    }
}
