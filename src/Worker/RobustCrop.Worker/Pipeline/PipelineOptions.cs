namespace RobustCrop.Worker.Pipeline;

/// <summary>
/// How one worker runs its pipeline on this machine: local to the process (never in the job), since two nodes of one
/// job may have different cores.
/// </summary>
public sealed record PipelineOptions
{
    /// <summary>cores − 1: one core is left to the inference thread (and the ONNX Runtime threads it drives).</summary>
    public static int DefaultDecodeThreads => Math.Max(1, Environment.ProcessorCount - 1);

    public static PipelineOptions Default { get; } = new();

    /// <summary>Inputs decoded and resized at once, on the thread pool, ahead of inference.</summary>
    public int DecodeThreads { get; init; } = DefaultDecodeThreads;

    /// <summary>Where per-stage times are added up (the bench); null: nothing is timed.</summary>
    public StageTimes? Times { get; init; }
}
