using RobustCrop.Core.Rics;
using RobustCrop.Core.Settings;

namespace RobustCrop.Cli.Options;

/// <summary>
/// Every default of the <c>robustcrop</c> options, in one place: the option declarations read them, and the generated
/// help prints what the declarations hold, so no help text restates a number.
/// </summary>
public static class Defaults
{
    public const string Out = "out";
    public const string Device = "cpu";
    /// <summary>auto: chosen per model and device by each worker (<see cref="RunSettings.DefaultBatch"/> on a CPU).</summary>
    public const int Batch = RunSettings.AutoBatch;

    /// <summary>cores − 1, declared by the worker's pipeline (one core is left to inference).</summary>
    public static int DecodeThreads => Worker.Pipeline.PipelineOptions.DefaultDecodeThreads;

    /// <summary>ONNX Runtime intra-op threads: all cores, the most <c>--threads</c> accepts.</summary>
    public static int Threads => Environment.ProcessorCount;

    /// <summary>
    /// What a process holds per model (ONNX Runtime session and arena), measured round on ResNet18 at batch 32: one copy,
    /// whatever the number of local workers, which share each session (<c>SharedModels</c>).
    /// </summary>
    public const long BytesPerModel = 450L * 1024 * 1024;

    /// <summary>
    /// What each local worker adds on top (its decode queue of scenes, double-buffered batch tensors, result rows), a bound
    /// well above what was measured (the default job's peak working set was 1,714 MB with one worker, 1,562 MB with two);
    /// <c>--workers</c> is refused when the models and the workers would not fit in memory.
    /// </summary>
    public const long BytesPerLocalWorker = 64L * 1024 * 1024;

    public static class Evaluate
    {
        /// <summary>
        /// With no --data the sample job runs: the 12 photos and the first 40 Fashion-MNIST test images, a size that
        /// finishes in under three minutes on a 2-core CPU with two models, hash RICS at n = 9 (select, soft4, rook4),
        /// cyclic RICS and subpixel:0.5 motion. Inputs were trimmed each time a measurement was added rather than one
        /// dropped: 112 → 92 when soft4 and motion took the job to 188 s of evaluate time (13,100 crops), 92 → 60 when the
        /// combining modes were measured under motion too (245 s, 19,328 crops), 60 → 52 when rook4 took block2's place (195 s,
        /// 14,198 crops; 165 s and 12,278 crops at 52). --limit 0 measures every sample image.
        /// </summary>
        public const int SampleLimit = 52;

        public static readonly IReadOnlyList<int> SampleRicsWindows = [9];

        /// <summary>The sample job also measures half-pixel camera motion (DESIGN §4b).</summary>
        public const string SampleMotion = "subpixel:0.5";

        public const int Limit = 0;
        public const int ShardSize = RunSettings.DefaultShardSize;
        public const int WindowK = RunSettings.DefaultWindowK;
        public const double Tau = RunSettings.DefaultTau;
        public const string RicsScore = "hash";
        public const string RicsMode = "select";

        /// <summary>The sample job measures, beside select, two 4-forward modes (DESIGN §5b): rook4, the stillest mode at 4
        /// forwards (on 300 Fashion-MNIST it keeps embeddings and classes on both models, where block2 kept only embeddings),
        /// and soft4, which keeps classes but not embeddings.</summary>
        public const string SampleRicsModes = "select,soft4,rook4";
        public const int Workers = 1;

        /// <summary>The hash score's seed: fixed, so runs are reproducible.</summary>
        public const ulong RicsSeed = RicsSelection.DefaultSeed;
    }

    public static class Coordinator
    {
        public const int Workers = 0;
        public const int LeaseSeconds = 30;
        public const int StatusSeconds = 5;
        public const string LogLevel = "warning";
    }

    public static class Predict
    {
        public const int Window = 9;
        public const string Score = "hash";
        public const int ShardSize = 1024;
        public const string RunIdPrefix = "predict-";
    }

    public static class FitHead
    {
        public const string Kind = "prototype";
        public const int Limit = 0;
        public const int ShardSize = 1024;
    }

    public static class Bench
    {
        public const string Model = "resnet18";
        public const int Images = 24;
        public const int Repeats = 3;
        /// <summary>The feed capacity runs over one default shard, the bench's inputs cycled: the per-shard costs (four
        /// Parquet files and a manifest) are then spread over the inputs a worker really writes together.</summary>
        public const int FeedInputs = RunSettings.DefaultShardSize;
    }

    public static class BenchCluster
    {
        public const string Workers = "8,32,64";
        public const int Shards = 2000;
        public const int LatencyMs = 20;
    }

    public static class Query
    {
        public const string Format = "table";
    }
}
