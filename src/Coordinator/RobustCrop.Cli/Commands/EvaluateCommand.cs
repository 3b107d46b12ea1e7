using System.Globalization;
using RobustCrop.Coordinator.Console;
using RobustCrop.Coordinator.Jobs;
using RobustCrop.IO.Results;
using RobustCrop.Core.Rics;
using RobustCrop.Worker.Pipeline;
using RobustCrop.Worker.Inference;

namespace RobustCrop.Cli.Commands;

public sealed class EvaluateCommand : ICommand
{
    /// <summary>
    /// With no --data the sample job runs: the 12 photos and the first Fashion-MNIST test images, a size that finishes
    /// in about two minutes on a 2-core CPU with two models, with hash RICS at n = 9 and cyclic RICS.
    /// --limit 0 measures every sample image.
    /// </summary>
    public const int SampleLimit = 112;

    public static readonly IReadOnlyList<int> SampleRicsWindows = [9];

    public string Name => "evaluate";
    public string Summary => "measure models' consistency under 1-pixel shifts over a dataset";
    public string Usage => """
        robustcrop evaluate [options]
          --data PATHS        comma-separated image folders, IDX folders (name#train for the train split), .tar / .parquet;
                              default: the shipped samples (photos + Fashion-MNIST test subset)
          --zoo FILE          zoo file (YAML) listing models; default: the shipped zoo (resnet18, resnet18-blur)
          --model IDS         comma-separated model ids from the zoo (default: all)
          --out URI           output location: a folder (default ./out) or az://container/prefix (Azure Blob Storage)
          --connection-string CS  storage connection string for az:// (default: $AZURE_STORAGE_CONNECTION_STRING)
          --run-id ID         run id (default: a new one); reusing one resumes: finished shards are skipped
          --device DEV        cpu | cuda | cuda:N (default cpu); CUDA falls back to CPU with a one-line notice
          --limit N           at most N inputs (0 = all; default all, or 112 for the sample job)
          --shard-size N      inputs per shard (default 256)
          --window K          k of the fooled_window set Wk (default 2; 0 = off)
          --tau T             changed_1px threshold on cosine_1px_min (default 0.99)
          --keep-embeddings   store each crop's normalised output vector in crops files
          --threads N         ONNX Runtime intra-op threads (default: all cores)
          --batch N           crops per inference call (default 32)
          --rics N1,N2,...    RICS windows (odd n) to evaluate; a sweep such as 1,3,5,9,15,21,31 gives the trade-off curve
                              (default none; 9 for the sample job). n ≤ R − C − 1 fits the standard resize (31 for 224/256)
          --rics-score S,...  RICS scores: hash (provable (n−1)/(n+1) bound), dog (smooth band-pass) (default hash)
          --rics-cyclic       cyclic RICS: canonical roll of each crop, 100% consistent under integer cyclic shifts
                              (default: on with --rics and for the sample job)
          --rics-seed N       seed of the hash score (default fixed, so runs are reproducible)
          --rics-fooled-window  also run RICS on every frame of W_k (--window K), giving its fooled_window
          --workers N         local worker actors (default 1); each loads the models once and runs one shard at a time
        """;

    public async Task<int> RunAsync(CommandLine a, CancellationToken ct)
    {
        var options = ParseOptions(a);
        int workers = a.Int("workers", 1, min: 1, max: 256);
        a.ThrowOnUnused();
        var progress = RunProgress.ForStandardError();
        var summary = await new EvaluateJob(options, progress, ClusterTopology.Embedded(workers)).RunAsync(ct);
        SummaryTable.Print(summary, Path.Combine(options.Out, options.RunId));
        return 0;
    }

    /// <summary>The evaluate options, shared with the <c>coordinator</c> command; the caller calls ThrowOnUnused.</summary>
    public static EvaluateOptions ParseOptions(CommandLine a)
    {
        string? data = a.String("data");
        var options = new EvaluateOptions(
            Data: data ?? ShippedFiles.DefaultData,
            Out: a.String("out", "out"),
            RunId: a.String("run-id") ?? NewRunId(),
            ZooPath: a.String("zoo") ?? ShippedFiles.DefaultZoo,
            ModelIds: a.String("model")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            Device: a.String("device", "cpu"),
            Limit: a.Int("limit", data is null ? SampleLimit : 0, min: 0),
            ShardSize: a.Int("shard-size", 256, min: 1, max: 1_000_000),
            Tau: a.Double("tau", 0.99, -1, 1),
            WindowK: a.Int("window", 2, min: 0, max: 64),
            KeepEmbeddings: a.Flag("keep-embeddings"),
            Threads: a.Int("threads", Environment.ProcessorCount, min: 1, max: 1024),
            Batch: a.Int("batch", 32, min: 1, max: 4096),
            RicsWindows: ParseWindows(a.String("rics")) ?? (data is null ? SampleRicsWindows : []),
            RicsScores: (a.String("rics-score") ?? "hash").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(ParseScore).Distinct().ToList(),
            RicsCyclic: false,
            RicsSeed: ParseSeed(a.String("rics-seed")));
        options = options with
        {
            RicsCyclic = a.OptionalFlag("rics-cyclic") ?? (options.RicsWindows.Count > 0),
            ConnectionString = a.String("connection-string"),
            RicsWindowFrames = a.Flag("rics-fooled-window"),
        };
        if (!Core.Results.RunLayout.IsValidId(options.RunId))
            throw new UsageException($"--run-id '{options.RunId}' may hold only letters, digits, '-', '_' and '.'");
        return options;
    }

    private static IReadOnlyList<int>? ParseWindows(string? text)
    {
        if (text is null) return null;
        var windows = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) || n < 1 || n % 2 == 0 || n > 255)
                throw new UsageException($"--rics takes odd window sizes from 1 to 255; got '{part}'");
            if (!windows.Contains(n)) windows.Add(n);
        }
        return windows;
    }

    private static RicsScore ParseScore(string text)
    {
        try { return RicsScores.Parse(text); }
        catch (ArgumentException e) { throw new UsageException("--rics-score: " + e.Message); }
    }

    private static ulong ParseSeed(string? text)
        => text is null ? new EvaluationSettings("x").RicsSeed
            : ulong.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out ulong v) ? v
            : throw new UsageException($"--rics-seed needs a whole number; got '{text}'");

    private static string NewRunId()
        => "run-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..4];
}
