using RobustCrop.Core.Metrics;
using RobustCrop.Core.Results;
using RobustCrop.IO.Storage;

namespace RobustCrop.IO.Results;

/// <summary>
/// nn_changed_1px per model and source dataset, from the crops files of a run that kept its embeddings
/// (<c>--keep-embeddings</c>): the base embedding and the one-pixel shifts of every image, searched against the run's own
/// base embeddings (<see cref="NearestNeighbourChange"/>), or in the gallery the run was given (<see cref="GalleryFile"/>).
/// Without kept embeddings, past <see cref="NearestNeighbourChange.MaxGallery"/> vectors, or with a given gallery that has
/// no vectors of the model's dimension, an entry has no value (null in summary.json).
/// </summary>
/// <remarks>Memory: nine vectors per image of one model at a time (base + N1), the gallery the search needs anyway;
/// the crops files are read one at a time.</remarks>
public static class NearestNeighbourPass
{
    /// <summary>One nn_changed under motion: a model, source dataset and motion spec, and the RICS setting (score, window,
    /// mode) or, for the plain model, (null, 0, "").</summary>
    public readonly record struct MotionNnKey(string Model, string Dataset, string Motion, string? Score, int Window, string Mode);

    /// <summary>Every nn_changed of a run: the plain model's (with its gallery), each RICS entry's, and under each motion.</summary>
    public sealed record Rates(
        Dictionary<(string Model, string Dataset), (double? Rate, NnGallerySummary? Gallery)> Plain,
        Dictionary<(string Model, string Dataset, int Window, string Score, string Mode), double?> Rics,
        Dictionary<MotionNnKey, double?> Motion);

    /// <summary>
    /// All of a run's nn_changed rates from one read of its crops and rics files (the aggregator's entry): the bases read for
    /// nn_changed_1px are the ones the motion views are searched against, so no file is read twice. Motion is searched only
    /// when <paramref name="withMotion"/> and the run kept the plain model's embeddings.
    /// </summary>
    public static async Task<Rates> ComputeAllAsync(IResultStore store, RunLayout layout, ISet<string> donePaths, string runDataset,
        GalleryFile? gallery, bool withMotion, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(layout);
        var images = await ReadCropsAsync(store, layout, donePaths, runDataset, basesOnly: false, ct).ConfigureAwait(false);
        var entries = await ReadRicsAsync(store, layout, donePaths, runDataset, basesOnly: false, ct).ConfigureAwait(false);
        var plain = PlainRates(images, gallery);
        var motion = withMotion && plain.Count > 0
            ? await MotionRatesAsync(store, layout, donePaths, runDataset, gallery, images, entries, ct).ConfigureAwait(false)
            : [];
        return new Rates(plain, RicsRates(entries, gallery), motion);
    }

    public static async Task<Dictionary<(string Model, string Dataset), (double? Rate, NnGallerySummary? Gallery)>> ComputeAsync(
        IResultStore store, RunLayout layout, ISet<string> donePaths, string runDataset, GalleryFile? gallery, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(layout);
        return PlainRates(await ReadCropsAsync(store, layout, donePaths, runDataset, basesOnly: false, ct).ConfigureAwait(false), gallery);
    }

    private static Dictionary<(string Model, string Dataset), (double? Rate, NnGallerySummary? Gallery)> PlainRates(
        Dictionary<(string Model, string Dataset), Dictionary<string, Vectors>>? images, GalleryFile? gallery)
    {
        var rates = new Dictionary<(string Model, string Dataset), (double?, NnGallerySummary?)>();
        foreach (var (group, byKey) in images ?? []) rates[group] = Rate(byKey, gallery, group.Model);
        return rates;
    }

    private static Dictionary<(string Model, string Dataset, int Window, string Score, string Mode), double?> RicsRates(
        Dictionary<(string Model, string Dataset, int Window, string Score, string Mode), Dictionary<string, Vectors>>? entries, GalleryFile? gallery)
        => (entries ?? []).ToDictionary(kv => kv.Key, kv => Rate(kv.Value, gallery, kv.Key.Model).Rate);

    /// <summary>
    /// nn_changed_1px of every realistic RICS entry (DESIGN §9), from the rics files of a run that kept its embeddings: each
    /// row holds its setting's base output and its 1-px frames' outputs. Searched exactly as the plain model's: in the
    /// entry's own base outputs (the gallery a user of that setting would index), or in the run's gallery.
    /// </summary>
    public static async Task<Dictionary<(string Model, string Dataset, int Window, string Score, string Mode), double?>> ComputeRicsAsync(
        IResultStore store, RunLayout layout, ISet<string> donePaths, string runDataset, GalleryFile? gallery, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(layout);
        return RicsRates(await ReadRicsAsync(store, layout, donePaths, runDataset, basesOnly: false, ct).ConfigureAwait(false), gallery);
    }

    /// <summary>
    /// nn_changed under each motion spec (DESIGN §4b), for the plain model and every RICS setting, from the motion files of a
    /// run that kept its embeddings: each row's moved views take the place of the 1-px shifts, and the search is the very one
    /// of nn_changed_1px — the same gallery (the crops files' base embeddings for the plain model, the setting's rics base
    /// outputs for RICS, or the run's gallery) and the same base — so <c>subpixel:1</c> gives nn_changed_1px exactly.
    /// </summary>
    /// <returns>A rate (null where the search has none) per model, dataset, spec and setting; the plain model's setting is
    /// (null, 0, ""). Empty without motion files or kept embeddings.</returns>
    /// <remarks>Memory: one base vector per image and setting, and one motion file's rows at a time.</remarks>
    public static async Task<Dictionary<MotionNnKey, double?>> ComputeMotionAsync(
        IResultStore store, RunLayout layout, ISet<string> donePaths, string runDataset, GalleryFile? gallery, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(layout);
        if ((await DoneFilesAsync(store, layout.MotionDir, donePaths, ct).ConfigureAwait(false)).Count == 0) return [];
        var plain = await ReadCropsAsync(store, layout, donePaths, runDataset, basesOnly: true, ct).ConfigureAwait(false);
        var rics = await ReadRicsAsync(store, layout, donePaths, runDataset, basesOnly: true, ct).ConfigureAwait(false);
        return await MotionRatesAsync(store, layout, donePaths, runDataset, gallery, plain, rics, ct).ConfigureAwait(false);
    }

    /// <summary>The motion files searched against bases already read (the plain model's from the crops files, each
    /// setting's from the rics files).</summary>
    private static async Task<Dictionary<MotionNnKey, double?>> MotionRatesAsync(IResultStore store, RunLayout layout, ISet<string> donePaths,
        string runDataset, GalleryFile? gallery, Dictionary<(string Model, string Dataset), Dictionary<string, Vectors>>? plain,
        Dictionary<(string Model, string Dataset, int Window, string Score, string Mode), Dictionary<string, Vectors>>? rics, CancellationToken ct)
    {
        var paths = await DoneFilesAsync(store, layout.MotionDir, donePaths, ct).ConfigureAwait(false);
        var searches = new Dictionary<(string, string, int, string?, string), BaseSearch?>();
        var means = new Dictionary<MotionNnKey, MeanAccumulator>();
        foreach (var path in paths)
        {
            List<MotionRow> rows;
            await using (var input = await store.OpenReadAsync(path, ct).ConfigureAwait(false))
                rows = await ResultParquet.ReadRowsAsync<MotionRow>(input, ct).ConfigureAwait(false);
            if (rows.Count > 0 && rows.All(r => r.Embeddings is null)) return [];
            foreach (var r in rows)
            {
                if (r.Embeddings is null) continue;
                string dataset = DatasetOf(r.ImageKey, runDataset), mode = r.Score is null ? "" : r.Mode ?? "select";
                int window = r.Score is null ? 0 : r.Window ?? 0;
                var key = new MotionNnKey(r.Model, dataset, r.Motion, r.Score, window, mode);
                means.TryGetValue(key, out var mean);
                var group = (r.Model, dataset, window, r.Score, mode);
                if (!searches.TryGetValue(group, out var search))
                {
                    // The plain model's bases are the crops files' (as nn_changed_1px), a setting's the rics files'.
                    Dictionary<string, Vectors>? bases = null;
                    if (r.Score is null) plain?.TryGetValue((r.Model, dataset), out bases);
                    else rics?.TryGetValue((r.Model, dataset, window, r.Score, mode), out bases);
                    searches[group] = search = bases is null ? null : BaseSearch.Over(bases, gallery, r.Model);
                }
                if (search is not null && Split(r.Embeddings, search.Dimension) is { Count: > 0 } moved) mean.Add(search.Changed(r.ImageKey, moved));
                means[key] = mean;
            }
        }
        return means.ToDictionary(kv => kv.Key, kv => kv.Value.Value);
    }

    /// <summary>Per model and source dataset, per image: the base embedding and (unless <paramref name="basesOnly"/>) the 1-px
    /// shifts' ones, from the crops files; null when the run kept no embeddings.</summary>
    private static async Task<Dictionary<(string Model, string Dataset), Dictionary<string, Vectors>>?> ReadCropsAsync(
        IResultStore store, RunLayout layout, ISet<string> donePaths, string runDataset, bool basesOnly, CancellationToken ct)
    {
        var images = new Dictionary<(string Model, string Dataset), Dictionary<string, Vectors>>();
        foreach (var path in await DoneFilesAsync(store, layout.CropsDir, donePaths, ct).ConfigureAwait(false))
        {
            List<CropRow> rows;
            await using (var input = await store.OpenReadAsync(path, ct).ConfigureAwait(false))
                rows = await ResultParquet.ReadCropRowsAsync(input, ct).ConfigureAwait(false);
            // A run either keeps embeddings in every crops file or in none: one file without them ends the pass.
            if (rows.Count > 0 && rows.All(r => r.Embedding is null)) return null;
            foreach (var r in rows)
            {
                if (r.Embedding is null || r.Kind != CropKinds.Realistic || Math.Max(Math.Abs(r.Dx), Math.Abs(r.Dy)) > 1) continue;
                bool isBase = r.Dx == 0 && r.Dy == 0;
                if (basesOnly && !isBase) continue;
                var group = (r.Model, DatasetOf(r.ImageKey, runDataset));
                if (!images.TryGetValue(group, out var byKey)) images[group] = byKey = new Dictionary<string, Vectors>(StringComparer.Ordinal);
                if (!byKey.TryGetValue(r.ImageKey, out var v)) byKey[r.ImageKey] = v = new Vectors();
                if (isBase) v.Base = r.Embedding;
                else v.Shifted.Add(r.Embedding);
            }
        }
        return images;
    }

    /// <summary>Per realistic RICS entry, per image: the setting's base output and (unless <paramref name="basesOnly"/>) its
    /// 1-px frames' ones, from the rics files; null when the run kept no embeddings.</summary>
    private static async Task<Dictionary<(string Model, string Dataset, int Window, string Score, string Mode), Dictionary<string, Vectors>>?> ReadRicsAsync(
        IResultStore store, RunLayout layout, ISet<string> donePaths, string runDataset, bool basesOnly, CancellationToken ct)
    {
        var entries = new Dictionary<(string Model, string Dataset, int Window, string Score, string Mode), Dictionary<string, Vectors>>();
        foreach (var path in await DoneFilesAsync(store, layout.RicsDir, donePaths, ct).ConfigureAwait(false))
        {
            List<RicsRow> rows;
            await using (var input = await store.OpenReadAsync(path, ct).ConfigureAwait(false))
                rows = await ResultParquet.ReadRowsAsync<RicsRow>(input, ct).ConfigureAwait(false);
            if (rows.Count > 0 && rows.All(r => r.Embedding is null)) return null;
            foreach (var r in rows)
            {
                if (r.Embedding is not { Length: > 0 } e || r.Embeddings1px is null || r.Score == "cyclic") continue;
                var key = (r.Model, DatasetOf(r.ImageKey, runDataset), r.Window, r.Score, r.Mode ?? "select");
                if (!entries.TryGetValue(key, out var byKey)) entries[key] = byKey = new Dictionary<string, Vectors>(StringComparer.Ordinal);
                var v = new Vectors { Base = e };
                if (!basesOnly) v.Shifted.AddRange(Split(r.Embeddings1px, e.Length));
                byKey[r.ImageKey] = v;
            }
        }
        return entries;
    }

    /// <summary>The Parquet files of finished shards in <paramref name="dir"/>, in name order (the order rows are read in).</summary>
    private static async Task<List<string>> DoneFilesAsync(IResultStore store, string dir, ISet<string> donePaths, CancellationToken ct)
    {
        var paths = new List<string>();
        await foreach (var path in store.ListAsync(dir, ct).ConfigureAwait(false))
            if (path.EndsWith(".parquet", StringComparison.Ordinal) && donePaths.Contains(path)) paths.Add(path);
        paths.Sort(StringComparer.Ordinal);
        return paths;
    }

    /// <summary>The share of images with a 1-px shift whose nearest neighbour changes, images in key order; null past
    /// <see cref="NearestNeighbourChange.MaxGallery"/> vectors or where the gallery's dimension differs.</summary>
    private static (double? Rate, NnGallerySummary? Gallery) Rate(Dictionary<string, Vectors> byKey, GalleryFile? gallery, string model)
    {
        var search = BaseSearch.Over(byKey, gallery, model);
        if (!search.Usable) return (null, search.Source);
        var mean = new MeanAccumulator();
        foreach (var (key, v) in byKey.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            if (v.Base is not null && v.Shifted.Count > 0) mean.Add(search.Changed(key, v.Shifted));
        return (mean.Value, search.Source);
    }

    /// <summary>A concatenation of vectors of <paramref name="dimension"/> elements, split (a shorter tail is dropped).</summary>
    private static List<float[]> Split(float[] concatenated, int dimension)
    {
        var list = new List<float[]>();
        if (dimension <= 0) return list;
        for (int i = 0; i + dimension <= concatenated.Length; i += dimension) list.Add(concatenated[i..(i + dimension)]);
        return list;
    }

    /// <summary>The gallery a run keeps (<see cref="GalleryFile.PathIn"/>); null when it was given none.</summary>
    public static async Task<GalleryFile?> StoredGalleryAsync(IResultStore store, RunLayout layout, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        string path = GalleryFile.PathIn(layout);
        if (!await store.ExistsAsync(path, ct).ConfigureAwait(false)) return null;
        await using var input = await store.OpenReadAsync(path, ct).ConfigureAwait(false);
        return await GalleryFile.ReadAsync(input, path[layout.Root.Length..], ct).ConfigureAwait(false);
    }

    /// <summary>Keeps <paramref name="localPath"/> as the run's gallery (replacing one kept before); returns it, read and checked.</summary>
    public static async Task<GalleryFile> StoreGalleryAsync(IResultStore store, RunLayout layout, string localPath, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        var gallery = await GalleryFile.ReadAsync(localPath, ct).ConfigureAwait(false);
        await store.WriteAsync(GalleryFile.PathIn(layout), async output =>
        {
            await using var input = File.OpenRead(localPath);
            await input.CopyToAsync(output, ct).ConfigureAwait(false);
        }, ct).ConfigureAwait(false);
        return gallery;
    }

    // As the summary groups rows: the key's first folder names the source dataset of a composite run.
    private static string DatasetOf(string key, string runDataset)
    {
        int slash = key.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 ? key[..slash] : runDataset;
    }

    private sealed class Vectors
    {
        public float[]? Base { get; set; }
        public List<float[]> Shifted { get; } = [];
    }

    /// <summary>
    /// The search behind every nn_changed of one model × dataset (or one RICS entry): the images' bases in key order as the
    /// gallery, each image excluded from its own search, or the run's gallery searched whole. Shared by the 1-px shifts and
    /// the motion views, so the two read the same neighbours.
    /// </summary>
    private sealed class BaseSearch
    {
        private readonly NearestNeighbourChange? _search;
        private readonly Dictionary<string, (int Index, float[] Base)> _images;
        private readonly bool _own;

        private BaseSearch(NearestNeighbourChange? search, Dictionary<string, (int, float[])> images, bool own, NnGallerySummary source, int dimension)
            => (_search, _images, _own, Source, Dimension) = (search, images, own, source, dimension);

        public NnGallerySummary Source { get; }
        public int Dimension { get; }
        public bool Usable => _search is not null;

        public static BaseSearch Over(Dictionary<string, Vectors> byKey, GalleryFile? gallery, string model)
        {
            var measured = byKey.Where(kv => kv.Value.Base is not null).OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
            var images = new Dictionary<string, (int, float[])>(StringComparer.Ordinal);
            for (int i = 0; i < measured.Count; i++) images[measured[i].Key] = (i, measured[i].Value.Base!);
            var vectors = gallery is null ? measured.Select(kv => kv.Value.Base!).ToList() : gallery.For(model);
            var source = new NnGallerySummary(gallery?.Name ?? NnGallerySummary.Run, vectors.Count);
            int dimension = measured.Count > 0 ? measured[0].Value.Base!.Length : 0;
            bool usable = vectors.Count <= NearestNeighbourChange.MaxGallery && measured.Count > 0 && vectors.All(v => v.Length == dimension);
            return new BaseSearch(usable ? new NearestNeighbourChange(vectors) : null, images, gallery is null, source, dimension);
        }

        /// <summary>Whether a moved or shifted embedding of image <paramref name="key"/> has another nearest neighbour than its
        /// base; null for an image without a base or a search without a gallery.</summary>
        public bool? Changed(string key, IReadOnlyList<float[]> moved)
        {
            if (_search is null || !_images.TryGetValue(key, out var image)) return null;
            return _own ? _search.Changed(image.Index, moved) : _search.Changed(image.Base, moved);
        }
    }
}
