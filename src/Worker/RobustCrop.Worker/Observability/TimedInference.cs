using System.Diagnostics;
using RobustCrop.Worker.Pipeline;

namespace RobustCrop.Worker.Observability;

/// <summary>An inference that reports each batch's wall time (two timestamps per batch, nothing per crop).</summary>
public sealed class TimedInference(IBatchInference inner, string model, WorkerMetrics metrics) : IBatchInference
{
    public int InputSize => inner.InputSize;
    public int OutputDimension => inner.OutputDimension;
    public int MaxBatch => inner.MaxBatch;

    public IBatchInference Inner => inner;

    public void Run(ReadOnlySpan<byte> input, int batch, Span<float> output)
    {
        long started = Stopwatch.GetTimestamp();
        inner.Run(input, batch, output);
        metrics.Batch(model, Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    public void Dispose() => inner.Dispose();
}
