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
    public static async Task<Dictionary<(string Model, string Dataset), (double? Rate, NnGallerySummary? Gallery)>> ComputeAsync(
        IResultStore store, RunLayout layout, ISet<string> donePaths, string runDataset, GalleryFile? gallery, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(layout);
        var images = new Dictionary<(string Model, string Dataset), Dictionary<string, Vectors>>();
        foreach (var path in await DoneFilesAsync(store, layout.CropsDir, donePaths, ct).ConfigureAwait(false))
        {
            List<CropRow> rows;
            await using (var input = await store.OpenReadAsync(path, ct).ConfigureAwait(false))
                rows = await ResultParquet.ReadCropRowsAsync(input, ct).ConfigureAwait(false);
            // A run either keeps embeddings in every crops file or in none: one file without them ends the pass.
            if (rows.Count > 0 && rows.All(r => r.Embedding is null)) return [];
            foreach (var r in rows)
            {
                if (r.Embedding is null || r.Kind != CropKinds.Realistic || Math.Max(Math.Abs(r.Dx), Math.Abs(r.Dy)) > 1) continue;
                var group = (r.Model, DatasetOf(r.ImageKey, runDataset));
                if (!images.TryGetValue(group, out var byKey)) images[group] = byKey = new Dictionary<string, Vectors>(StringComparer.Ordinal);
                if (!byKey.TryGetValue(r.ImageKey, out var v)) byKey[r.ImageKey] = v = new Vectors();
                if (r.Dx == 0 && r.Dy == 0) v.Base = r.Embedding;
                else v.Shifted.Add(r.Embedding);
            }
        }
        var rates = new Dictionary<(string Model, string Dataset), (double?, NnGallerySummary?)>();
        foreach (var (group, byKey) in images) rates[group] = Rate(byKey, gallery, group.Model);
        return rates;
    }

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
        var entries = new Dictionary<(string Model, string Dataset, int Window, string Score, string Mode), Dictionary<string, Vectors>>();
        foreach (var path in await DoneFilesAsync(store, layout.RicsDir, donePaths, ct).ConfigureAwait(false))
        {
            List<RicsRow> rows;
            await using (var input = await store.OpenReadAsync(path, ct).ConfigureAwait(false))
                rows = await ResultParquet.ReadRowsAsync<RicsRow>(input, ct).ConfigureAwait(false);
            if (rows.Count > 0 && rows.All(r => r.Embedding is null)) return [];
            foreach (var r in rows)
            {
                if (r.Embedding is not { Length: > 0 } e || r.Embeddings1px is null || r.Score == "cyclic") continue;
                var key = (r.Model, DatasetOf(r.ImageKey, runDataset), r.Window, r.Score, r.Mode ?? "select");
                if (!entries.TryGetValue(key, out var byKey)) entries[key] = byKey = new Dictionary<string, Vectors>(StringComparer.Ordinal);
                var v = new Vectors { Base = e };
                for (int i = 0; i + e.Length <= r.Embeddings1px.Length; i += e.Length) v.Shifted.Add(r.Embeddings1px[i..(i + e.Length)]);
                byKey[r.ImageKey] = v;
            }
        }
        return entries.ToDictionary(kv => kv.Key, kv => Rate(kv.Value, gallery, kv.Key.Model).Rate);
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
        var measured = byKey.OrderBy(kv => kv.Key, StringComparer.Ordinal).Where(kv => kv.Value.Base is not null).Select(kv => kv.Value).ToList();
        var vectors = gallery is null ? measured.Select(v => v.Base!).ToList() : gallery.For(model);
        var source = new NnGallerySummary(gallery?.Name ?? NnGallerySummary.Run, vectors.Count);
        int dimension = measured.Count > 0 ? measured[0].Base!.Length : 0;
        if (vectors.Count > NearestNeighbourChange.MaxGallery || measured.Count == 0 || vectors.Any(v => v.Length != dimension))
            return (null, source);
        var search = new NearestNeighbourChange(vectors);
        var mean = new MeanAccumulator();
        for (int i = 0; i < measured.Count; i++)
        {
            if (measured[i].Shifted.Count == 0) continue;
            mean.Add(gallery is null ? search.Changed(i, measured[i].Shifted) : search.Changed(measured[i].Base!, measured[i].Shifted));
        }
        return (mean.Value, source);
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
}
