using System.Globalization;
using RobustCrop.Core.Metrics;
using RobustCrop.Core.Results;
using RobustCrop.IO.Storage;

namespace RobustCrop.IO.Results;

/// <summary>Facts about a model that its image rows do not hold; optional extras of summary.json.</summary>
public sealed record ModelFacts(string Model, string? Device, int? InputSize, int? ResizeSize);

/// <summary>
/// Builds summary.json from the images and errors files alone, so a run assembled from several machines, or resumed,
/// aggregates exactly like a run done in one go (DESIGN §7, §9).
/// </summary>
public static class RunAggregator
{
    public const string TauMetadataKey = "robustcrop.tau";

    /// <summary>Every τ of the run (<c>--tau 0.99,0.95</c>), comma-separated; the first is <see cref="TauMetadataKey"/>.</summary>
    public const string TausMetadataKey = "robustcrop.taus";

    public static async Task<RunSummary> AggregateAsync(IResultStore store, RunLayout layout, string dataset,
        IReadOnlyList<ModelFacts>? facts, CancellationToken ct)
        => await AggregateAsync(store, layout, await RunStateIo.ReadAsync(store, layout, ct).ConfigureAwait(false), dataset, facts, ct)
            .ConfigureAwait(false);

    /// <summary>Aggregates the files of the shards <paramref name="state"/> holds (those with a manifest) and no other:
    /// a shard that failed before its manifest may have left files that a retry writes again.</summary>
    /// <remarks>Streams: one file and one row group at a time, into one <see cref="ModelAccumulator"/> per model × source
    /// dataset, so memory is bounded by a shard, not by the run (DESIGN §9). Images are counted distinct by key within
    /// each shard, across its models' files (in a <see cref="DistinctKeys"/>, which holds no key string), and the shards'
    /// counts are summed: the plan gives every input to exactly one shard and a repeated key becomes an error row, so a
    /// key never spans two shards and the sum is the run's exact distinct count. Rows reach each accumulator in the order
    /// the old in-memory pass saw them, so means are the same doubles; cosine p05 is exact up to
    /// <see cref="CosineSketch.ExactCapacity"/> measured images per entry and within the sketch's documented bound
    /// beyond.</remarks>
    public static async Task<RunSummary> AggregateAsync(IResultStore store, RunLayout layout, RunState state, string dataset,
        IReadOnlyList<ModelFacts>? facts, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(state);
        // Rows are grouped by model and source dataset: a composite run (photos + Fashion-MNIST) is summarised per
        // dataset, never in one row mixing labelled digits with unlabelled photos.
        var groups = new SortedDictionary<(string Model, string Dataset), ModelAccumulator>();
        var shardOf = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var m in state.Done)
            foreach (var f in m.Files)
                shardOf[f.Path] = m.Shard;

        // A shard's images files (one per model), in the order the listing first meets each shard.
        var shards = new List<List<string>>();
        var shardIndex = new Dictionary<int, int>();
        await foreach (var path in store.ListAsync(layout.ImagesDir, ct).ConfigureAwait(false))
        {
            if (!path.EndsWith(".parquet", StringComparison.Ordinal) || !shardOf.TryGetValue(path, out int shard)) continue;
            if (!shardIndex.TryGetValue(shard, out int i)) { shardIndex[shard] = i = shards.Count; shards.Add([]); }
            shards[i].Add(path);
        }
        var work = new List<(string Path, bool Rics, int Shard)>();
        for (int i = 0; i < shards.Count; i++) work.AddRange(shards[i].Select(p => (p, false, i)));
        await foreach (var path in store.ListAsync(layout.RicsDir, ct).ConfigureAwait(false))
            if (path.EndsWith(".parquet", StringComparison.Ordinal) && shardOf.ContainsKey(path)) work.Add((path, true, -1));
        var reader = new StreamingReader(groups, dataset);
        long images = await AddAllAsync(store, reader, work, ct).ConfigureAwait(false);
        var errorFiles = new List<string>();
        await foreach (var path in store.ListAsync(layout.ErrorsDir, ct).ConfigureAwait(false))
            if (path.EndsWith(".parquet", StringComparison.Ordinal) && shardOf.ContainsKey(path)) errorFiles.Add(path);
        long errors = 0;
        // Only the footers are read: a request each, so they go out together rather than one round trip after another.
        await Parallel.ForEachAsync(errorFiles, new ParallelOptions { MaxDegreeOfParallelism = InFlight, CancellationToken = ct }, async (path, token) =>
            Interlocked.Add(ref errors, await StreamingReader.CountRowsAsync(store, path, token).ConfigureAwait(false))).ConfigureAwait(false);
        double tau = reader.Tau ?? 0.99;
        // Only entries with image rows: RICS rows of a model × dataset without any are not summarised (as before).
        var measured = groups.Where(kv => kv.Value.Images > 0).ToList();
        var models = measured.Select(kv =>
        {
            var f = facts?.FirstOrDefault(x => x.Model == kv.Key.Model);
            return kv.Value.ToSummary(kv.Key.Model, kv.Key.Dataset, tau, f?.Device, f?.InputSize, f?.ResizeSize);
        }).ToList();
        // Models listed in the zoo but with no image rows (every input was an error) still appear, with null metrics.
        foreach (var f in facts ?? [])
            if (!measured.Any(kv => kv.Key.Model == f.Model))
                models.AddRange(dataset.Split('+').Select(d => new ModelAccumulator(reader.ExtraTaus).ToSummary(f.Model, d, tau, f.Device, f.InputSize, f.ResizeSize)));
        var gallery = await NearestNeighbourPass.StoredGalleryAsync(store, layout, ct).ConfigureAwait(false);
        var done = shardOf.Keys.ToHashSet(StringComparer.Ordinal);
        var motion = await MotionPass.ComputeAsync(store, layout, done, dataset, tau, ct).ConfigureAwait(false);
        // One read of the crops and rics files serves nn_changed_1px and, with motion, the bases the moved views are searched
        // against; without kept embeddings there is nothing to search.
        var nn = await NearestNeighbourPass.ComputeAllAsync(store, layout, done, dataset, gallery, withMotion: motion.Count > 0, ct).ConfigureAwait(false);
        for (int i = 0; i < models.Count; i++)
            if (nn.Plain.TryGetValue((models[i].Model, models[i].Dataset ?? dataset), out var found))
                models[i] = models[i] with { Realistic = models[i].Realistic with { NnChanged1px = found.Rate, NnGallery = found.Gallery } };
        for (int i = 0; i < models.Count; i++)
        {
            var m = models[i];
            if (nn.Rics.Count > 0 && m.Rics.Count > 0)
                models[i] = m with { Rics = [.. m.Rics.Select(r => nn.Rics.TryGetValue((m.Model, m.Dataset ?? dataset, r.Window, r.Score, r.Mode), out var rate) ? r with { NnChanged1px = rate } : r)] };
        }
        for (int i = 0; i < models.Count; i++)
            if (motion.TryGetValue((models[i].Model, models[i].Dataset ?? dataset), out var specs))
                models[i] = models[i] with { Motion = MotionPass.WithNn(specs, models[i].Model, models[i].Dataset ?? dataset, nn.Motion) };
        int k = measured.Select(kv => kv.Value.WindowK).DefaultIfEmpty(0).Max();
        return new RunSummary(layout.RunId, dataset, images, errors, models, DateTimeOffset.UtcNow, tau, k);
    }

    /// <summary>Files read at once. On Blob storage each file is a round trip of tens of milliseconds, which more cores do
    /// not shorten, so this does not follow the core count; a decoded images or rics file is a few hundred KB at most
    /// (its summary columns), so memory stays a few MB.</summary>
    internal const int InFlight = 8;

    /// <summary>Decodes the files ahead on the thread pool (<see cref="InFlight"/> at once) and adds them one at a time in
    /// list order; returns the images counted distinct per shard.</summary>
    private static async Task<long> AddAllAsync(IResultStore store, StreamingReader reader, List<(string Path, bool Rics, int Shard)> work,
        CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        int depth = Math.Max(InFlight, Environment.ProcessorCount);
        var pending = new Queue<(int Shard, Task<StreamingReader.Decoded> Task)>();
        var keys = new DistinctKeys();
        long images = 0;
        int shard = -1, next = 0;
        try
        {
            while (next < work.Count || pending.Count > 0)
            {
                while (pending.Count < depth && next < work.Count)
                {
                    var w = work[next++];
                    pending.Enqueue((w.Shard, Task.Run(() => reader.DecodeAsync(store, w.Path, w.Rics, cts.Token), cts.Token)));
                }
                var (s, task) = pending.Dequeue();
                var decoded = await task.ConfigureAwait(false);
                if (s != shard)
                {
                    // A shard's images files are adjacent in the work list: its keys are complete when the next begins.
                    images += keys.Count;
                    keys.Clear();
                    shard = s;
                }
                reader.Add(decoded, keys);
            }
        }
        catch
        {
            await cts.CancelAsync().ConfigureAwait(false);
            // The decodes still in flight are cancelled and waited for, so none outlives the call; the first failure is
            // the one reported, whatever the others end with.
            foreach (var (_, t) in pending)
            {
                try { await t.ConfigureAwait(false); }
                catch (Exception) { }
            }
            throw;
        }
        return images + keys.Count;
    }

    /// <summary>The source dataset of an image: every dataset keys its images "&lt;dataset name&gt;/…", and a composite
    /// dataset keeps its children's names distinct.</summary>
    public static string DatasetOf(string imageKey, string runDataset)
    {
        ArgumentNullException.ThrowIfNull(imageKey);
        int slash = imageKey.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 ? imageKey[..slash] : runDataset;
    }

    public static async Task WriteSummaryAsync(IResultStore store, RunLayout layout, RunSummary summary, CancellationToken ct)
    {
        string json = RunSummaryIo.Serialize(summary);
        await store.WriteTextAsync(layout.SummaryJson, json, ct);
        await store.WriteAsync(layout.SummaryParquet, s => SummaryParquet.WriteAsync(s, summary, ct), ct);
    }
}
