namespace RobustCrop.Worker.Pipeline;

/// <summary>
/// A model that maps a batch of crops, [batch,S,S,3] R,G,B bytes as the scene stores them, to one output row each. The
/// model normalises them itself, in its graph: the one runtime contract of a model (DESIGN §5b).
/// Not thread-safe: one caller at a time.
/// </summary>
public interface IBatchInference : IDisposable
{
    int InputSize { get; }
    int OutputDimension { get; }
    int MaxBatch { get; }

    /// <summary>Runs <paramref name="batch"/> crops from <paramref name="input"/> ([batch,S,S,3] bytes) into <paramref name="output"/> ([batch, D]).</summary>
    void Run(ReadOnlySpan<byte> input, int batch, Span<float> output);
}
