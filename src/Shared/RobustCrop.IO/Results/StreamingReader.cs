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
    private readonly System.Collections.Concurrent.ConcurrentBag<ColumnBatch> _pool = [];
    private string _lastModel = "";
    private string _lastDataset = "";
    private ModelAccumulator? _last;

    /// <summary>τ from the first file whose metadata holds it.</summary>
    public double? Tau { get; private set; }

    /// <summary>The thresholds after τ (<c>--tau 0.99,0.95</c>), from the first images file; none in older runs.</summary>
    public IReadOnlyList<double> ExtraTaus { get; private set; } = [];

    private bool _tausRead;

    /// <summary>A file's summary columns, every row group decoded, ready to be added.</summary>
    public sealed record Decoded(string Path, bool Rics, string? Model, double? Tau, List<ColumnBatch> Groups, IReadOnlyList<double>? Taus = null);

    /// <summary>Decodes a file's summary columns (thread-safe: files are decoded ahead, in parallel, while an earlier
    /// one is added). Its buffers go back to the pool in <see cref="Add"/>.</summary>
    public async Task<Decoded> DecodeAsync(IResultStore store, string path, bool rics, CancellationToken ct)
    {
        await using var input = await OpenAsync(store, path, ct).ConfigureAwait(false);
        await using var reader = await ParquetReader.CreateAsync(input, leaveStreamOpen: true, cancellationToken: ct).ConfigureAwait(false);
        var meta = reader.CustomMetadata;
        double? tau = meta.TryGetValue(RunAggregator.TauMetadataKey, out var t) ? double.Parse(t, CultureInfo.InvariantCulture) : null;
        var columns = rics ? RicsColumns.Read : ImageColumns.Read;
        SummaryColumns.CheckRequired(reader, path, columns);
        var groups = new List<ColumnBatch>(reader.RowGroupCount);
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            var batch = _pool.TryTake(out var pooled) ? pooled : new ColumnBatch();
            groups.Add(batch);
            await SummaryColumns.ReadAsync(reader, g, path, columns, batch, ct).ConfigureAwait(false);
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

    private void AddImages(ColumnBatch batch, string? fileModel, string path, DistinctKeys keys)
    {
        var c = new ImageColumns(batch);
        for (int r = 0; r < c.Count; r++)
        {
            string key = c.Keys[r] ?? throw new InvalidDataException($"{path}: an image_key is null");
            keys.Add(key);
            Group(c.Models[r] ?? ModelOf(fileModel, path), key).Add(c, r);
        }
    }

    private void AddRics(ColumnBatch batch, string? fileModel, string path)
    {
        var c = new RicsColumns(batch);
        for (int r = 0; r < c.Count; r++)
        {
            string key = c.Keys[r] ?? throw new InvalidDataException($"{path}: an image_key is null");
            if (c.Score[r] is null) throw new InvalidDataException($"{path}: a score is null");
            Group(c.Models[r] ?? ModelOf(fileModel, path), key).Add(c, r);
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

    private static string ModelOf(string? fileModel, string path)
        => fileModel ?? throw new InvalidDataException($"{path}: no model column and no '{ResultMetadataKeys.Model}' metadata");

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
