using System.Globalization;
using Parquet;
using RobustCrop.Core.Results;
using RobustCrop.IO.Storage;

namespace RobustCrop.IO.Results;

/// <summary>
/// Feeds images and rics files into per model × source dataset accumulators a row group at a time (the reading half of
/// <see cref="RunAggregator"/>). Holds no row beyond the current row group.
/// </summary>
internal sealed class StreamingReader(SortedDictionary<(string Model, string Dataset), ModelAccumulator> groups, string runDataset)
{
    private static readonly string[] ImageInts = ["crops_inferred", "shifts_1px", "window_k", "window_shifts", "cyclic_shifts_1px"];
    private static readonly string[] ImageBools = ["correct", "fooled_1px", "fooled_window", "changed_1px", "cyclic_fooled_1px", "cyclic_changed_1px", "correct_native"];
    private static readonly string[] ImageDoubles = ["consistency_1px", "cosine_1px_min", "cyclic_consistency_1px"];
    // Columns the row types require: a file without them is refused, as ResultParquet refuses it.
    private static readonly string[] RequiredImageColumns = ["changed_1px", "cyclic_changed_1px", "cosine_1px_min"];
    private static readonly string[] RicsInts = ["window", "offset_x", "offset_y", "frames", "border_choices", "shifts_1px", "window_k", "window_shifts"];
    private static readonly string[] RicsBools = ["correct", "fooled_1px", "changed_1px", "fooled_window"];
    private static readonly string[] RicsDoubles = ["consistency_1px"];
    private static readonly string[] RequiredRicsColumns = ["changed_1px"];

    private readonly System.Collections.Concurrent.ConcurrentBag<SummaryColumns> _pool = [];
    private string _lastModel = "";
    private string _lastDataset = "";
    private ModelAccumulator? _last;

    /// <summary>τ from the first file whose metadata holds it.</summary>
    public double? Tau { get; private set; }

    /// <summary>The thresholds after τ (<c>--tau 0.99,0.95</c>), from the first images file; none in older runs.</summary>
    public IReadOnlyList<double> ExtraTaus { get; private set; } = [];

    private bool _tausRead;

    /// <summary>A file's summary columns, every row group decoded, ready to be added.</summary>
    public sealed record Decoded(string Path, bool Rics, string? Model, double? Tau, List<SummaryColumns> Groups, IReadOnlyList<double>? Taus = null);

    /// <summary>Decodes a file's summary columns (thread-safe: files are decoded ahead, in parallel, while an earlier
    /// one is added). Its buffers go back to the pool in <see cref="Add"/>.</summary>
    public async Task<Decoded> DecodeAsync(IResultStore store, string path, bool rics, CancellationToken ct)
    {
        await using var input = await OpenAsync(store, path, ct).ConfigureAwait(false);
        await using var reader = await ParquetReader.CreateAsync(input, leaveStreamOpen: true, cancellationToken: ct).ConfigureAwait(false);
        var meta = reader.CustomMetadata;
        double? tau = meta.TryGetValue(RunAggregator.TauMetadataKey, out var t) ? double.Parse(t, CultureInfo.InvariantCulture) : null;
        foreach (var name in rics ? RequiredRicsColumns : RequiredImageColumns)
            if (!reader.Schema.Fields.Any(f => string.Equals(f.Name, name, StringComparison.Ordinal)))
                throw new InvalidDataException($"{path}: Parquet file lacks the required column '{name}'");
        var groups = new List<SummaryColumns>(reader.RowGroupCount);
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            var c = _pool.TryTake(out var pooled) ? pooled : new SummaryColumns();
            groups.Add(c);
            if (rics) await c.ReadAsync(reader, g, path, "score", RicsInts, RicsBools, RicsDoubles, ct).ConfigureAwait(false);
            else await c.ReadAsync(reader, g, path, "label", ImageInts, ImageBools, ImageDoubles, ct).ConfigureAwait(false);
        }
        IReadOnlyList<double>? taus = meta.TryGetValue(RunAggregator.TausMetadataKey, out var ts) && ts.Length > 0
            ? [.. ts.Split(',').Select(x => double.Parse(x, CultureInfo.InvariantCulture))]
            : null;
        return new Decoded(path, rics, meta.TryGetValue(ResultMetadataKeys.Model, out var m) ? m : null, tau, groups, taus);
    }

    /// <summary>Adds a decoded file's rows (one caller at a time, in file order, so sums keep their order); an images
    /// file's keys go into <paramref name="keys"/>.</summary>
    public void Add(Decoded file, DistinctKeys keys)
    {
        ArgumentNullException.ThrowIfNull(file);
        Tau ??= file.Tau;
        // Before any accumulator exists: every one counts the same thresholds.
        if (!_tausRead && !file.Rics)
        {
            _tausRead = true;
            if (file.Taus is { Count: > 1 } taus) ExtraTaus = [.. taus.Skip(1)];
        }
        foreach (var c in file.Groups)
        {
            if (file.Rics) AddRics(c, file.Model, file.Path);
            else AddImages(c, file.Model, file.Path, keys);
            _pool.Add(c);
        }
    }

    private void AddImages(SummaryColumns c, string? fileModel, string path, DistinctKeys keys)
    {
        var labels = c.Strings;
        int[] crops = c.Int(0), shifts = c.Int(1), windowK = c.Int(2), windowShifts = c.Int(3), cyclicShifts = c.Int(4);
        for (int r = 0; r < c.Count; r++)
        {
            string key = c.Keys[r] ?? throw new InvalidDataException($"{path}: an image_key is null");
            keys.Add(key);
            var facts = new ImageFacts(crops[r], c.Bool(0, r), labels[r] is not null, shifts[r], c.Double(0, r), c.Bool(1, r),
                windowK[r], windowShifts[r], c.Bool(2, r), c.Double(1, r) ?? 0, c.Bool(3, r) ?? false, cyclicShifts[r],
                c.Double(2, r), c.Bool(4, r), c.Bool(5, r) ?? false, c.Bool(6, r));
            Group(ModelOf(c, r, fileModel, path), key).Add(facts);
        }
    }

    private void AddRics(SummaryColumns c, string? fileModel, string path)
    {
        string cyclic = RunAggregator.CyclicScore;
        var scores = c.Strings;
        int[] window = c.Int(0), offsetX = c.Int(1), offsetY = c.Int(2), frames = c.Int(3), border = c.Int(4), shifts = c.Int(5),
            windowK = c.Int(6), windowShifts = c.Int(7);
        for (int r = 0; r < c.Count; r++)
        {
            string key = c.Keys[r] ?? throw new InvalidDataException($"{path}: an image_key is null");
            string score = scores[r] ?? throw new InvalidDataException($"{path}: a score is null");
            var facts = new RicsFacts(window[r], string.Equals(score, cyclic, StringComparison.Ordinal), c.Bool(0, r), offsetX[r], offsetY[r],
                frames[r], border[r], shifts[r], c.Double(0, r), c.Bool(1, r), c.Bool(2, r) ?? false, windowK[r], windowShifts[r], c.Bool(3, r));
            Group(ModelOf(c, r, fileModel, path), key).Add(facts, score);
        }
    }

    /// <summary>The rows of a file, from its row groups' counts (no column is read).</summary>
    public static async Task<long> CountRowsAsync(IResultStore store, string path, CancellationToken ct)
    {
        await using var input = await OpenAsync(store, path, ct).ConfigureAwait(false);
        await using var reader = await ParquetReader.CreateAsync(input, leaveStreamOpen: true, cancellationToken: ct).ConfigureAwait(false);
        long rows = 0;
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            rows += group.RowCount;
        }
        return rows;
    }

    private static string ModelOf(SummaryColumns c, int r, string? fileModel, string path)
        => c.Models?[r] ?? fileModel ?? throw new InvalidDataException($"{path}: no model column and no '{ResultMetadataKeys.Model}' metadata");

    /// <summary>The accumulator of a row; the last one is kept, since a file's rows come in long runs of one dataset.</summary>
    private ModelAccumulator Group(string model, string key)
    {
        int slash = key.IndexOf('/', StringComparison.Ordinal);
        var dataset = slash > 0 ? key.AsSpan(0, slash) : runDataset.AsSpan();
        if (_last is not null && string.Equals(model, _lastModel, StringComparison.Ordinal) && dataset.SequenceEqual(_lastDataset))
            return _last;
        string name = dataset.ToString();
        if (!groups.TryGetValue((model, name), out var acc)) groups[(model, name)] = acc = new ModelAccumulator(ExtraTaus);
        (_lastModel, _lastDataset, _last) = (model, name, acc);
        return acc;
    }

    private static async Task<Stream> OpenAsync(IResultStore store, string path, CancellationToken ct)
    {
        var s = await store.OpenReadAsync(path, ct).ConfigureAwait(false);
        if (s.CanSeek) return s;
        // Parquet is read from its footer backwards; a forward-only download is buffered (one file, not the run).
        await using (s)
        {
            var copy = new MemoryStream();
            await s.CopyToAsync(copy, ct).ConfigureAwait(false);
            copy.Position = 0;
            return copy;
        }
    }
}
