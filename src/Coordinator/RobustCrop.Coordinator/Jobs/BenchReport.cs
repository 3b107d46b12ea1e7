namespace RobustCrop.Coordinator.Jobs;

/// <summary>
/// What <see cref="BenchJob"/> measured: the pipeline against a bare ONNX Runtime loop over the same batch tensors, what
/// choosing crops costs, where the pipeline's time goes, the feed capacity of a near-zero-cost model, and the worker's
/// peak memory per dataset size. Rates are crops per second; the figure that matters is <see cref="PipelineOverBare"/>.
/// </summary>
public sealed record BenchReport
{
    public required BenchSetup Setup { get; init; }

    /// <summary>Decode + resize, per image that decoded.</summary>
    public required double DecodeMsPerImage { get; init; }

    /// <summary>Writing one planned crop into a batch tensor (uint8, normalised later in the graph).</summary>
    public required double CropMsPerCrop { get; init; }

    /// <summary>Decode, resize and crop assembly together, per crop.</summary>
    public required double DecodeCropMsPerCrop { get; init; }

    /// <summary>Crops the planned inputs need: what each bare run infers.</summary>
    public required int TotalCrops { get; init; }

    /// <summary>Each bare run's rate in the order measured: one before the first pipeline run and one after each.</summary>
    public required IReadOnlyList<double> BareRates { get; init; }

    /// <summary>Each pipeline run's rate (read → decode → plan → batch → infer → metrics → Parquet), in order.</summary>
    public required IReadOnlyList<double> PipelineRates { get; init; }

    /// <summary>Each pipeline run over the mean of the bare runs either side of it (which cancels a linear drift).</summary>
    public required IReadOnlyList<double> Ratios { get; init; }

    /// <summary>Crops and images one pipeline run inferred.</summary>
    public required long PipelineCrops { get; init; }

    public required int PipelineImages { get; init; }

    /// <summary>The pipeline's stages summed over every run.</summary>
    public required IReadOnlyList<StageFigure> PipelineStages { get; init; }

    public required IReadOnlyList<RicsScoringFigure> RicsScoring { get; init; }

    /// <summary>Cyclic RICS canonicalisation of one input (null without scenes).</summary>
    public required double? CyclicCanonicalisationMs { get; init; }

    /// <summary>The feed capacity at each decode-thread count tried (1, 2 where there are two cores, the configured one).</summary>
    public required IReadOnlyList<FeedScaling> FeedScaling { get; init; }

    /// <summary>The feed at the configured decode threads.</summary>
    public required FeedFigure Feed { get; init; }

    /// <summary>Per dataset size: the worker's peak working set, measured in fresh processes.</summary>
    public required IReadOnlyList<MemoryFigure> Memory { get; init; }

    public double Bare => BenchMath.Median(BareRates);

    public double Pipeline => BenchMath.Median(PipelineRates);

    /// <summary>One forward pass at the bare rate, in ms per crop.</summary>
    public double ForwardMs => 1000.0 / Bare;

    /// <summary>The median of <see cref="Ratios"/> (not the ratio of the medians, which a drift between runs would move).</summary>
    public double PipelineOverBare => BenchMath.Median(Ratios);

    /// <summary>The largest size's peak over the smallest's; null with one size.</summary>
    public double? PeakRatio => Memory.Count > 1 ? Memory[^1].PeakBytes / (double)Memory[0].PeakBytes : null;
}

/// <summary>What the bench ran with.</summary>
public sealed record BenchSetup(string ModelId, string Device, int Threads, int Batch, int DecodeThreads, bool IoBinding, int Inputs, string DatasetName, int Repeats);

/// <summary>One pipeline stage: CPU time summed over the threads that ran it, per image and per crop, and its share of the wall time.</summary>
public sealed record StageFigure(string Name, double TotalMs, double MsPerImage, double MsPerCrop, double PercentOfWall);

/// <summary>Scoring all n² candidates of the base frame and its 8 one-pixel neighbours, against one forward pass.</summary>
public sealed record RicsScoringFigure(string Score, int N, double MsPerImage);

public sealed record FeedScaling(int DecodeThreads, double CropsPerSecond, double CropsPerCpuSecond);

/// <summary>The near-zero-cost model's pass over the cycled inputs: what RobustCrop around a model delivers.</summary>
public sealed record FeedFigure(long Crops, int Inputs, double Seconds, double CpuSeconds, double GcPauseMs, IReadOnlyList<StageFigure> Stages)
{
    public double CropsPerSecond => Crops / Seconds;

    /// <summary>Crops per CPU-second of the whole process: what a node of N cores multiplies by N.</summary>
    public double PerCore => Crops / Math.Max(CpuSeconds, 1e-9);

    /// <summary>CPU the timed stages do not account for (queues, rows, threads waking), per input.</summary>
    public double UntimedCpuMsPerInput => Math.Max(0, CpuSeconds * 1000 - Stages.Sum(s => s.TotalMs)) / Math.Max(1, Inputs);
}

/// <summary>One dataset size's peak working set: the median over fresh processes, one per run (<see cref="RunsMiB"/>, in MiB).</summary>
/// <param name="InputsRead">What the first child read (it must equal the size).</param>
public sealed record MemoryFigure(int Size, long InputsRead, IReadOnlyList<double> RunsMiB)
{
    public double MedianMiB => BenchMath.Median(RunsMiB);

    public long PeakBytes => (long)(MedianMiB * 1024 * 1024);
}

/// <summary>One memory child's answer: inputs it streamed and its peak working set (VmHWM).</summary>
public sealed record MemoryMeasurement(long Inputs, long PeakBytes);

internal static class BenchMath
{
    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
