namespace RobustCrop.Worker.Pipeline;

/// <summary>
/// A model that maps a batch of crops, NCHW floats or (<see cref="TakesBytes"/>) raw HWC bytes, to one output row each.
/// Not thread-safe: one caller at a time.
/// </summary>
/// <remarks>No default members: a wrapper (timing, tests) must forward the byte path too, or it would silently turn an
/// in-graph-normalising model into one that fails on its first batch.</remarks>
public interface IBatchInference : IDisposable
{
    int InputSize { get; }
    int OutputDimension { get; }
    int MaxBatch { get; }

    /// <summary>Runs <paramref name="batch"/> crops from <paramref name="input"/> ([batch,3,S,S]) into <paramref name="output"/> ([batch, D]).</summary>
    void Run(ReadOnlySpan<float> input, int batch, Span<float> output);

    /// <summary>Whether the model normalises its own input in its graph and takes raw crops through <see cref="RunBytes"/>.</summary>
    bool TakesBytes { get; }

    /// <summary>Runs <paramref name="batch"/> crops laid out [batch,S,S,3] as R,G,B bytes into <paramref name="output"/> ([batch, D]).</summary>
    void RunBytes(ReadOnlySpan<byte> input, int batch, Span<float> output);
}
