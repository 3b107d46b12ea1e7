using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using RobustCrop.Cli.Options;
using RobustCrop.Coordinator.Jobs;
using RobustCrop.Core.Models;
using RobustCrop.Core.Motion;
using RobustCrop.Core.Rics;
using RobustCrop.Core.Settings;
using RobustCrop.IO.Models;

namespace RobustCrop.Cli.Commands;

/// <summary>The options of an evaluate job, declared once for the <c>evaluate</c> and <c>coordinator</c> commands.</summary>
public sealed class EvaluateOptionSet
{
    public Option<string> Data { get; } = CliOptions.String("--data",
        "comma-separated image folders, IDX folders (name#train for the train split), .tar / .parquet; default: the shipped samples (photos + Fashion-MNIST test subset)",
        helpName: "PATHS");

    public Option<string> Zoo { get; } = new("--zoo") { Description = "zoo file (YAML) listing models", HelpName = "FILE", DefaultValueFactory = _ => ShippedFiles.DefaultZoo };
    public Option<string> Model { get; } = CliOptions.String("--model", "comma-separated model ids from the zoo (default: all)", helpName: "IDS");
    public Option<string> Out { get; } = CliOptions.String("--out", "output location: a folder or az://container/prefix (Azure Blob Storage)", Defaults.Out, "URI");
    public Option<string> ConnectionString { get; } = CliOptions.String("--connection-string", "storage connection string for az:// (default: $AZURE_STORAGE_CONNECTION_STRING)", helpName: "CS");
    public Option<string> RunId { get; } = CliOptions.RunId("run id (default: a new one); reusing one resumes: finished shards are skipped");
    public Option<string> Device { get; } = CliOptions.Devices();
    public Option<int> DecodeThreads { get; } = CliOptions.DecodeThreads();

    public Option<int> Limit { get; } = CliOptions.Int("--limit",
        $"at most N inputs (0 = all; default all, or {Defaults.Evaluate.SampleLimit} for the sample job)", null, 0, int.MaxValue);

    public Option<int> ShardSize { get; } = CliOptions.Int("--shard-size", "inputs per shard", Defaults.Evaluate.ShardSize, 1, 1_000_000);
    public Option<int> Window { get; } = CliOptions.Int("--window", "k of the fooled_window set Wk (0 = off)", Defaults.Evaluate.WindowK, 0, 64, "K");
    public Option<IReadOnlyList<double>> Tau { get; } = CliOptions.Tau();
    public Option<bool> KeepEmbeddings { get; } = CliOptions.Flag("--keep-embeddings", "store each crop's normalised output vector in crops files");

    public Option<string> Gallery { get; } = CliOptions.String("--gallery",
        "Parquet of embeddings (an 'embedding' list<float> column, optionally 'model') to search nn_changed_1px in instead of the run's own base embeddings; needs --keep-embeddings",
        helpName: "FILE");

    public Option<bool> Captions { get; } = CliOptions.Flag("--captions", "copy img2dataset captions (.json) into the images rows (url, key, size and status always are)");
    public Option<int> Threads { get; } = CliOptions.Threads();
    public Option<int> Batch { get; } = CliOptions.Batch();

    public Option<IReadOnlyList<int>> Rics { get; } = CliOptions.RicsWindows(
        $"RICS windows (odd n) to evaluate; a sweep such as 1,3,5,9,15,21,31 gives the trade-off curve (default none; {string.Join(',', Defaults.Evaluate.SampleRicsWindows)} for the sample job). n ≤ R − C − 1 fits the standard resize (31 for 224/256)");

    public Option<IReadOnlyList<RicsScore>> RicsScore { get; } = CliOptions.RicsScoreList("--rics-score",
        "RICS scores: hash (provable (n−1)/(n+1) bound), dog (smooth band-pass), blob (DoG twice at the window's scale), hessian (best peak of the Hessian determinant: keeps its selection best under sub-pixel motion on photos), all (every one)", Defaults.Evaluate.RicsScore);

    public Option<bool> RicsCyclic { get; } = CliOptions.Flag("--rics-cyclic",
        "cyclic RICS: canonical roll of each crop, 100% consistent under integer cyclic shifts (default: on with --rics and for the sample job)");

    public Option<ulong> RicsSeed { get; } = CliOptions.RicsSeed();
    public Option<bool> RicsFooledWindow { get; } = CliOptions.Flag("--rics-fooled-window", "also run RICS on every frame of W_k (--window K), giving its fooled_window");

    public Option<IReadOnlyList<RicsMode>> RicsMode { get; } = CliOptions.RicsModeList("--rics-mode",
        $"RICS representation modes: select (the best candidate), soft<k> (tent-weighted mean of a content-chosen ~k candidates, k forwards), block<b> (mean of the b×b adjacent centre crops, b² forwards), rook<b> (mean of b centre crops, one per row and column of a b×b block, b forwards), mean-all (all n², the reference), or all (default {Defaults.Evaluate.RicsMode}; {Defaults.Evaluate.SampleRicsModes} for the sample job)",
        Defaults.Evaluate.RicsMode);
    public Option<IReadOnlyList<MotionSpec>> Motion { get; } = new("--motion")
    {
        Description = $"camera motion beyond integer shifts, measured like the 1-px shifts for the model and every RICS setting: {MotionSpec.ValidForms}, comma-separated (default none; {Defaults.Evaluate.SampleMotion} for the sample job)",
        HelpName = "SPEC[,SPEC...]",
        CustomParser = r =>
        {
            try { return MotionSpec.ParseList(CliOptions.Single(r)); }
            catch (FormatException e)
            {
                r.AddError("--motion: " + e.Message);
                return [];
            }
        },
    };

    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { Data, Zoo, Model, Out, ConnectionString, RunId, Device, Limit, ShardSize, Window, Tau, KeepEmbeddings, Gallery, Captions,
                     Threads, DecodeThreads, Batch, Rics, RicsScore, RicsCyclic, RicsSeed, RicsFooledWindow, RicsMode, Motion })
            command.Add(o);
    }

    public EvaluateOptions Bind(ParseResult p)
    {
        bool sample = !p.Given(Data);
        var windows = p.Given(Rics) ? p.GetValue(Rics)! : sample ? Defaults.Evaluate.SampleRicsWindows : [];
        var run = new RunSettings(new RunId(p.GetValue(RunId) ?? NewRunId()))
        {
            Data = p.GetValue(Data) ?? ShippedFiles.DefaultData,
            Out = p.GetValue(Out)!,
            ZooPath = p.GetValue(Zoo)!,
            ModelIds = [.. ModelIds(p.GetValue(Model)) ?? []],
            Limit = p.Given(Limit) ? p.GetValue(Limit) : sample ? Defaults.Evaluate.SampleLimit : Defaults.Evaluate.Limit,
            ShardSize = p.GetValue(ShardSize),
            Tau = p.GetValue(Tau)![0],
            ExtraTaus = [.. p.GetValue(Tau)!.Skip(1)],
            WindowK = p.GetValue(Window),
            KeepEmbeddings = p.GetValue(KeepEmbeddings),
            KeepCaptions = p.GetValue(Captions),
            Batch = p.GetValue(Batch),
            Rics = RicsSelection.Of(windows, p.GetValue(RicsScore)!, p.Given(RicsCyclic) ? p.GetValue(RicsCyclic) : windows.Count > 0,
                p.GetValue(RicsSeed), p.GetValue(RicsFooledWindow),
                p.Given(RicsMode) ? p.GetValue(RicsMode) : sample ? Core.Rics.RicsMode.ParseList(Defaults.Evaluate.SampleRicsModes) : null),
            Motion = p.Given(Motion) ? [.. p.GetValue(Motion)!] : sample ? MotionSpec.ParseList(Defaults.Evaluate.SampleMotion) : [],
        };
        return new EvaluateOptions(run, p.GetValue(Device)!, p.GetValue(Threads))
        {
            ConnectionString = p.GetValue(ConnectionString),
            DecodeThreads = p.GetValue(DecodeThreads),
            Gallery = p.GetValue(Gallery),
        };
    }

    /// <summary>nn_changed_1px is read from the kept embeddings: a gallery without them would be searched by nothing.</summary>
    public void ValidateGallery(CommandResult r)
    {
        if (r.Given(Gallery) && !(r.TryGet(KeepEmbeddings, out bool keep) && keep))
            r.AddError("--gallery needs --keep-embeddings: nn_changed_1px compares the kept embeddings of each image with the gallery");
    }

    /// <summary>The combining modes are entries of the hash setting: soft&lt;k&gt; draws its members by the hash score, block&lt;b&gt;
    /// and mean-all take fixed positions of the same window; without the hash setting they have no window to combine.</summary>
    public void ValidateModes(CommandResult r)
    {
        if (!r.Given(RicsMode) || !r.TryGet(RicsMode, out var modes) || modes.All(m => m.IsSelect)) return;
        if (r.Given(RicsScore) && r.TryGet(RicsScore, out var scores) && scores is not null && !scores.Contains(Core.Rics.RicsScore.Hash))
            r.AddError($"--rics-mode {string.Join(',', modes.Where(m => !m.IsSelect).Select(m => m.Name))} combines candidates of the hash setting's window; add hash to --rics-score");
    }

    /// <summary>
    /// Local workers share one session per model and each runs its shard on its own thread; refuses a count the machine
    /// cannot hold (the models once, plus each worker's buffers).
    /// </summary>
    public void ValidateWorkers(CommandResult r, Option<int> workers)
    {
        if (!r.Given(workers) || !r.TryGet(workers, out int n) || n == 0) return;
        int cores = Environment.ProcessorCount;
        if (n > cores)
        {
            r.AddError($"--workers {n}: this machine has {cores} cores and each local worker runs its shard on its own thread; give at most {cores}");
            return;
        }
        int? models = ModelCount(r);
        if (models is not int m) return;
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        long modelBytes = m * Defaults.BytesPerModel, needed = modelBytes + n * Defaults.BytesPerLocalWorker;
        if (available <= 0 || needed <= available) return;
        const long Mb = 1024 * 1024;
        long fit = (available - modelBytes) / Defaults.BytesPerLocalWorker;
        string fix = fit >= 1 ? $"give at most {fit} worker(s)" : "run fewer models per job";
        r.AddError(string.Create(CultureInfo.InvariantCulture,
            $"--workers {n}: {m} model(s) x {Defaults.BytesPerModel / Mb} MB (one copy, shared by the workers) + {n} worker(s) x {Defaults.BytesPerLocalWorker / Mb} MB = {needed / Mb} MB, more than the {available / Mb} MB of memory available; {fix}"));
    }

    /// <summary>The job's model count: the ids given, else the zoo's entries; null when the zoo cannot be read (the run reports that itself).</summary>
    private int? ModelCount(CommandResult r)
    {
        if (r.TryGet(Model, out string? ids) && ModelIds(ids) is { } list) return list.Count;
        if (!r.TryGet(Zoo, out string? zoo) || zoo is null) return null;
        try { return ZooFile.Load(zoo, ShippedFiles.BuiltinModelsDir).Count; }
        catch (Exception e) when (e is ZooException or IOException or UnauthorizedAccessException) { return null; }
    }

    private static IReadOnlyList<string>? ModelIds(string? text)
        => text?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToArray();

    private static string NewRunId()
        => "run-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..4];
}
