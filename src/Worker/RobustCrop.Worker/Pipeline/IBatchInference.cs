namespace RobustCrop.Worker.Pipeline;

/// <summary>A model that maps a batch of NCHW float crops to one output row each. Not thread-safe: one caller at a time.</summary>
public interface IBatchInference : IDisposable
{
    int InputSize { get; }
    int OutputDimension { get; }
    int MaxBatch { get; }

    /// <summary>Runs <paramref name="batch"/> crops from <paramref name="input"/> ([batch,3,S,S]) into <paramref name="output"/> ([batch, D]).</summary>
    void Run(ReadOnlySpan<float> input, int batch, Span<float> output);
}
