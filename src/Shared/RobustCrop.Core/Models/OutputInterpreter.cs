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

    public OutputInterpreter(OutputKind kind, int rawDimension, ClassHead? head)
    {
        if (head is not null && kind != OutputKind.Embedding) throw new ZooException("a head applies to embedding outputs only");
        if (head is not null && head.Dimension != rawDimension)
            throw new ZooException($"head expects {head.Dimension}-d embeddings, the model outputs {rawDimension}");
        _kind = kind;
        _head = head;
        RawDimension = rawDimension;
    }

    public int RawDimension { get; }

    /// <summary>Length of the vector cosines are computed on (the raw output's length).</summary>
    public int VectorDimension => RawDimension;

    public bool HasClasses => _kind == OutputKind.Logits || _head is not null;

    public int ClassCount => _kind == OutputKind.Logits ? RawDimension : _head?.Classes.Count ?? 0;

    public string? ClassName(int k) => _head is not null ? _head.Classes[k] : null;

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
