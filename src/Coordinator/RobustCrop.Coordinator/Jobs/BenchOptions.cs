using RobustCrop.Core.Rics;
using RobustCrop.Core.Settings;

namespace RobustCrop.Coordinator.Jobs;

/// <summary>What the bench runs: a zoo model on a device over the first inputs of a dataset, with the sample job's plan.</summary>
/// <param name="Sizes">Dataset sizes whose peak working set is measured; the smallest is the side-by-side inputs.</param>
/// <param name="FeedInputs">Inputs the feed capacity runs over (the bench's inputs cycled).</param>
/// <param name="Rics">The RICS plan measured (the sample job's: hash at n = 9 and cyclic).</param>
public sealed record BenchOptions(string Model, string Zoo, string Data, int Threads, int Batch, string Device, int DecodeThreads, int Repeats,
    IReadOnlyList<int> Sizes, int FeedInputs, RicsSelection Rics)
{
    /// <summary>The job's settings: the sample job's plan on the bench's data, zoo and batch.</summary>
    public RunSettings Settings => new(new RunId("bench"))
    {
        Data = Data,
        ZooPath = Zoo,
        Batch = Batch,
        Rics = Rics,
    };
}
