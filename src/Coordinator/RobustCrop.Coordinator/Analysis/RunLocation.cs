using System.Security.Cryptography;
using System.Text;
using RobustCrop.Core.Results;
using RobustCrop.IO.Storage;

namespace RobustCrop.Coordinator.Analysis;

/// <summary>A finished run named by its URI, <c>&lt;out&gt;/&lt;run-id&gt;</c>: the store that holds it and its id.</summary>
public sealed class RunLocation
{
    private RunLocation(IResultStore store, RunLayout layout, string uri)
    {
        Store = store;
        Layout = layout;
        Uri = uri;
    }

    public IResultStore Store { get; }
    public RunLayout Layout { get; }
    public string Uri { get; }

    /// <summary>
    /// Splits the URI at its last segment: the rest opens the store (a local folder or az://container/prefix, whose
    /// connection string comes from <paramref name="connectionString"/> or AZURE_STORAGE_CONNECTION_STRING), the segment is the run id.
    /// </summary>
    public static RunLocation Open(string uri, string? connectionString = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(uri);
        var (parent, runId) = StoreFactory.SplitRun(uri);
        if (!RunLayout.IsValidId(runId))
            throw new ArgumentException($"'{uri}' does not end in a run id (<out>/<run-id>)");
        return new RunLocation(StoreFactory.Open(parent, connectionString), new RunLayout(runId), uri);
    }

    /// <summary>A run in an already opened store (any <see cref="IResultStore"/>).</summary>
    public static RunLocation In(IResultStore store, string runId)
    {
        ArgumentNullException.ThrowIfNull(store);
        return new RunLocation(store, new RunLayout(runId), $"{store.Describe()}: {runId}");
    }

    /// <exception cref="FileNotFoundException">The run has no summary.json (absent or unfinished).</exception>
    public async Task<RunSummary> ReadSummaryAsync(CancellationToken ct)
    {
        if (!await Store.ExistsAsync(Layout.SummaryJson, ct))
            throw new FileNotFoundException($"no finished run at {Uri}: {Layout.SummaryJson} is missing in {Store.Describe()}");
        return RunSummaryIo.Deserialize(await Store.ReadTextAsync(Layout.SummaryJson, ct));
    }

    /// <summary>
    /// A local folder holding the run's Parquet files and summary.json, for engines that read files by path. A local run
    /// is read in place; any other store is copied into a cache folder first, because DuckDB's remote-storage
    /// extensions are downloaded at run time and cluster nodes are often offline. A cached file is fetched again only
    /// when its size differs, so a repeated query of a finished (immutable) run costs no transfer.
    /// </summary>
    public async Task<string> LocalFolderAsync(string cacheRoot, CancellationToken ct)
    {
        if (Store is LocalFolderStore local)
        {
            string dir = Path.Combine(local.Root, Layout.RunId);
            if (!Directory.Exists(dir)) throw new FileNotFoundException($"no run at {Uri}: folder {dir} does not exist");
            return dir;
        }
        string key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Store.Describe())))[..16];
        string target = Path.Combine(cacheRoot, key, Layout.RunId);
        var listed = new List<StoredFile>();
        if (Store is IListsSizes sized)
        {
            await foreach (var f in sized.ListWithSizesAsync(Layout.Root, ct))
                if (IsAnalysisFile(f.Path)) listed.Add(f);
        }
        else
        {
            await foreach (var rel in Store.ListAsync(Layout.Root, ct))
                if (IsAnalysisFile(rel)) listed.Add(new StoredFile(rel, -1));
        }
        if (listed.Count == 0) throw new FileNotFoundException($"no run at {Uri}: {Store.Describe()} has no files under {Layout.Root}");
        // Several at once: a run of 100,000 images is thousands of files, and one request at a time waits out every
        // round trip. The listing's sizes spare the download of files already cached (a finished run's files are never
        // rewritten; summary.json and _plan.json can be, at the same size, and are small: always fetched).
        await Parallel.ForEachAsync(listed, new ParallelOptions { MaxDegreeOfParallelism = FetchParallelism, CancellationToken = ct }, async (f, token) =>
        {
            string file = Path.Combine(target, f.Path[Layout.Root.Length..].Replace('/', Path.DirectorySeparatorChar));
            bool rewritable = f.Path.EndsWith("/summary.json", StringComparison.Ordinal) || f.Path.EndsWith("/_plan.json", StringComparison.Ordinal);
            if (!rewritable && f.Size >= 0 && File.Exists(file) && new FileInfo(file).Length == f.Size) return;
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            await using var src = await Store.OpenReadAsync(f.Path, token);
            if (!rewritable && File.Exists(file) && src.CanSeek && src.Length == new FileInfo(file).Length) return;
            string temp = file + ".part";
            await using (var dst = File.Create(temp)) await src.CopyToAsync(dst, token);
            File.Move(temp, file, overwrite: true);
        });
        return target;
    }

    /// <summary>Files fetched at once into the cache.</summary>
    public const int FetchParallelism = 16;

    private static bool IsAnalysisFile(string rel)
        => rel.EndsWith(".parquet", StringComparison.Ordinal) || rel.EndsWith("/summary.json", StringComparison.Ordinal)
           || rel.EndsWith("/_plan.json", StringComparison.Ordinal)
           || (rel.Contains("/_manifests/", StringComparison.Ordinal) && rel.EndsWith(".json", StringComparison.Ordinal));

    /// <summary>The default cache for runs fetched from remote stores.</summary>
    public static string DefaultCacheRoot => Path.Combine(Path.GetTempPath(), "robustcrop-cache");
}
