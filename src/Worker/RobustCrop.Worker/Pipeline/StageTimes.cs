using System.Diagnostics;

namespace RobustCrop.Worker.Pipeline;

/// <summary>The pipeline's stages, in the order an input passes them.</summary>
public enum Stage
{
    Decode,
    Resize,
    Plan,
    CropAssembly,
    Infer,
    Metrics,
    Write,
}

/// <summary>
/// Time spent in each stage, summed over every thread that ran it: with stages running in parallel the sum is CPU time
/// spent per stage, not wall time, which is what tells where a core goes. Thread-safe (decode runs on several threads).
/// </summary>
public sealed class StageTimes
{
    private readonly long[] _ticks = new long[Enum.GetValues<Stage>().Length];
    private readonly long[] _count = new long[Enum.GetValues<Stage>().Length];

    public void Add(Stage stage, long startTimestamp)
    {
        Interlocked.Add(ref _ticks[(int)stage], Stopwatch.GetTimestamp() - startTimestamp);
        Interlocked.Increment(ref _count[(int)stage]);
    }

    public TimeSpan Total(Stage stage) => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _ticks[(int)stage]));

    /// <summary>How many times the stage ran (images, batches or shards, depending on the stage).</summary>
    public long Count(Stage stage) => Interlocked.Read(ref _count[(int)stage]);
}
