using RobustCrop.Core.Metrics;
using RobustCrop.Core.Rics;

namespace RobustCrop.Core.Results;

/// <summary>The images columns the summary reads, picked by name from <see cref="ImagesSchema"/>: a summary rule that
/// needs another column adds it here and reads it in <see cref="ModelAccumulator.Add(in ImageColumns, int)"/>.</summary>
public readonly struct ImageColumns
{
    /// <summary>The columns a reader must fill (key and model first: rows are grouped by them).</summary>
    public static IReadOnlyList<ResultColumn> Read { get; } =
    [
        ImagesSchema.ImageKey, ImagesSchema.Model, ImagesSchema.Label, ImagesSchema.CropsInferred, ImagesSchema.Correct,
        ImagesSchema.CorrectNative, ImagesSchema.Shifts1px, ImagesSchema.Consistency1px, ImagesSchema.Fooled1px,
        ImagesSchema.WindowK, ImagesSchema.WindowShifts, ImagesSchema.FooledWindow, ImagesSchema.Cosine1pxMin,
        ImagesSchema.Changed1px, ImagesSchema.CyclicShifts1px, ImagesSchema.CyclicConsistency1px, ImagesSchema.CyclicFooled1px,
        ImagesSchema.CyclicChanged1px, .. ModelAccumulator.RealisticMeans,
    ];

    public ImageColumns(ColumnBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        Count = batch.Count;
        Keys = batch.Strings(ImagesSchema.ImageKey);
        Models = batch.Strings(ImagesSchema.Model);
        Label = batch.Strings(ImagesSchema.Label);
        CropsInferred = batch.Ints(ImagesSchema.CropsInferred);
        Correct = batch.Bools(ImagesSchema.Correct);
        CorrectNative = batch.Bools(ImagesSchema.CorrectNative);
        Shifts1px = batch.Ints(ImagesSchema.Shifts1px);
        Consistency1px = batch.Doubles(ImagesSchema.Consistency1px);
        Fooled1px = batch.Bools(ImagesSchema.Fooled1px);
        WindowK = batch.Ints(ImagesSchema.WindowK);
        WindowShifts = batch.Ints(ImagesSchema.WindowShifts);
        FooledWindow = batch.Bools(ImagesSchema.FooledWindow);
        Cosine1pxMin = batch.Doubles(ImagesSchema.Cosine1pxMin);
        Changed1px = batch.Bools(ImagesSchema.Changed1px);
        CyclicShifts1px = batch.Ints(ImagesSchema.CyclicShifts1px);
        CyclicConsistency1px = batch.Doubles(ImagesSchema.CyclicConsistency1px);
        CyclicFooled1px = batch.Bools(ImagesSchema.CyclicFooled1px);
        CyclicChanged1px = batch.Bools(ImagesSchema.CyclicChanged1px);
        Means = [.. ModelAccumulator.RealisticMeans.Select(batch.Doubles)];
    }

    /// <summary>The columns of in-memory rows, read through the declaration like a file's.</summary>
    public static ImageColumns Of(IReadOnlyList<ImageRow> rows) => new(ColumnBatch.FromRows(ImagesSchema.Columns, Read, rows));

    public int Count { get; }
    public string?[] Keys { get; }
    /// <summary>Null where the file keeps the model in its folder name (a partition file).</summary>
    public string?[] Models { get; }
    internal string?[] Label { get; }
    internal int[] CropsInferred { get; }
    internal bool?[] Correct { get; }
    internal bool?[] CorrectNative { get; }
    internal int[] Shifts1px { get; }
    internal double?[] Consistency1px { get; }
    internal bool?[] Fooled1px { get; }
    internal int[] WindowK { get; }
    internal int[] WindowShifts { get; }
    internal bool?[] FooledWindow { get; }
    internal double?[] Cosine1pxMin { get; }
    internal bool?[] Changed1px { get; }
    internal int[] CyclicShifts1px { get; }
    internal double?[] CyclicConsistency1px { get; }
    internal bool?[] CyclicFooled1px { get; }
    internal bool?[] CyclicChanged1px { get; }
    /// <summary>The columns of <see cref="ModelAccumulator.RealisticMeans"/>, in its order.</summary>
    internal double?[][] Means { get; }
}

/// <summary>The rics columns the summary reads, picked by name from <see cref="RicsSchema"/>.</summary>
public readonly struct RicsColumns
{
    public static IReadOnlyList<ResultColumn> Read { get; } =
    [
        RicsSchema.ImageKey, RicsSchema.Model, RicsSchema.Score, RicsSchema.Window, RicsSchema.Correct, RicsSchema.OffsetX,
        RicsSchema.OffsetY, RicsSchema.Frames, RicsSchema.BorderChoices, RicsSchema.Shifts1px, RicsSchema.Consistency1px,
        RicsSchema.Fooled1px, RicsSchema.Changed1px, RicsSchema.WindowK, RicsSchema.WindowShifts, RicsSchema.FooledWindow,
        RicsSchema.SelectionKeptAxis1px, RicsSchema.RealisticShifts1px, RicsSchema.RealisticConsistency1px,
        RicsSchema.RealisticFooled1px, RicsSchema.RealisticCosine1pxMin, RicsSchema.RealisticChanged1px,
        RicsSchema.Mode, RicsSchema.ForwardsPerFrame, RicsSchema.Cosine1pxMin,
    ];

    public RicsColumns(ColumnBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        Count = batch.Count;
        Keys = batch.Strings(RicsSchema.ImageKey);
        Models = batch.Strings(RicsSchema.Model);
        Score = batch.Strings(RicsSchema.Score);
        Window = batch.Ints(RicsSchema.Window);
        Correct = batch.Bools(RicsSchema.Correct);
        OffsetX = batch.Ints(RicsSchema.OffsetX);
        OffsetY = batch.Ints(RicsSchema.OffsetY);
        Frames = batch.Ints(RicsSchema.Frames);
        BorderChoices = batch.Ints(RicsSchema.BorderChoices);
        Shifts1px = batch.Ints(RicsSchema.Shifts1px);
        Consistency1px = batch.Doubles(RicsSchema.Consistency1px);
        Fooled1px = batch.Bools(RicsSchema.Fooled1px);
        Changed1px = batch.Bools(RicsSchema.Changed1px);
        WindowK = batch.Ints(RicsSchema.WindowK);
        WindowShifts = batch.Ints(RicsSchema.WindowShifts);
        FooledWindow = batch.Bools(RicsSchema.FooledWindow);
        SelectionKeptAxis1px = batch.Doubles(RicsSchema.SelectionKeptAxis1px);
        RealisticShifts1px = batch.Ints(RicsSchema.RealisticShifts1px);
        RealisticConsistency1px = batch.Doubles(RicsSchema.RealisticConsistency1px);
        RealisticFooled1px = batch.Bools(RicsSchema.RealisticFooled1px);
        RealisticCosine1pxMin = batch.Doubles(RicsSchema.RealisticCosine1pxMin);
        RealisticChanged1px = batch.Bools(RicsSchema.RealisticChanged1px);
        Mode = batch.Strings(RicsSchema.Mode);
        ForwardsPerFrame = batch.Doubles(RicsSchema.ForwardsPerFrame);
        Cosine1pxMin = batch.Doubles(RicsSchema.Cosine1pxMin);
    }

    public static RicsColumns Of(IReadOnlyList<RicsRow> rows) => new(ColumnBatch.FromRows(RicsSchema.Columns, Read, rows));

    public int Count { get; }
    public string?[] Keys { get; }
    public string?[] Models { get; }
    public string?[] Score { get; }
    internal int[] Window { get; }
    internal bool?[] Correct { get; }
    internal int[] OffsetX { get; }
    internal int[] OffsetY { get; }
    internal int[] Frames { get; }
    internal int[] BorderChoices { get; }
    internal int[] Shifts1px { get; }
    internal double?[] Consistency1px { get; }
    internal bool?[] Fooled1px { get; }
    internal bool?[] Changed1px { get; }
    internal int[] WindowK { get; }
    internal int[] WindowShifts { get; }
    internal bool?[] FooledWindow { get; }
    internal double?[] SelectionKeptAxis1px { get; }
    /// <summary>Cyclic RICS under realistic shifts; 0 (read from null) on realistic rows and in files written before it.</summary>
    internal int[] RealisticShifts1px { get; }
    internal double?[] RealisticConsistency1px { get; }
    internal bool?[] RealisticFooled1px { get; }
    internal double?[] RealisticCosine1pxMin { get; }
    internal bool?[] RealisticChanged1px { get; }
    public string?[] Mode { get; }
    internal double?[] ForwardsPerFrame { get; }
    internal double?[] Cosine1pxMin { get; }
}

/// <summary>
/// A running mean of the values that apply (a null is skipped, as <see cref="Stats.Mean"/> does). Values are summed in the
/// order they come, so a stream read in the files' order gives the same double as the in-memory mean did.
/// </summary>
public struct MeanAccumulator
{
    private double _sum;
    private long _count;

    public readonly long Count => _count;

    public void Add(double? value)
    {
        if (value is double d) { _sum += d; _count++; }
    }

    public void Add(bool? value)
    {
        if (value is bool b) { _sum += b ? 1.0 : 0.0; _count++; }
    }

    public void Merge(MeanAccumulator other) { _sum += other._sum; _count += other._count; }

    public readonly double? Value => _count == 0 ? null : _sum / _count;
}

/// <summary>
/// The summary of one model on one source dataset, built a row at a time in memory that does not grow with the rows:
/// counts and sums, the cosine distribution in a <see cref="CosineSketch"/>, and one small accumulator per RICS setting.
/// Two accumulators of disjoint rows merge into the one of all rows (sums then differ from a sequential sum by rounding
/// only; the sketch's bound is unchanged).
/// </summary>
/// <param name="extraTaus">Thresholds after the run's τ: each counts the measured images whose cosine_1px_min is below it.</param>
public sealed class ModelAccumulator(IReadOnlyList<double>? extraTaus = null)
{
    /// <summary>
    /// Per-image columns (double) whose mean over the measured images (shifts_1px &gt; 0) the summary reports under the
    /// column's name: in summary.json's <c>realistic</c> object and as summary.parquet's <c>realistic_&lt;name&gt;</c>. A new
    /// per-image metric is summarised by naming its declared column here.
    /// </summary>
    public static IReadOnlyList<ResultColumn> RealisticMeans { get; } = [ImagesSchema.Cosine1pxMean];

    private readonly MeanAccumulator[] _means = new MeanAccumulator[RealisticMeans.Count];
    private readonly IReadOnlyList<double> _extraTaus = extraTaus ?? [];
    private readonly RepresentationAccumulator _representation = new(extraTaus ?? []);
    private long _images, _crops, _withLabels, _withoutShifts;
    private int _windowK;
    private MeanAccumulator _accuracy, _accuracyNative, _consistency, _fooled, _fooledWindow;
    private MeanAccumulator _cyclicConsistency, _cyclicFooled, _cyclicChanged;
    private readonly Dictionary<(int Window, string Score, string Mode), RicsAccumulator> _rics = [];
    private RicsCyclicAccumulator? _ricsCyclic;
    private RicsAccumulator? _lastRics;
    private int _lastWindow;
    private string? _lastScore, _lastMode;

    public long Images => _images;

    public int WindowK => _windowK;

    /// <summary>Adds row <paramref name="r"/> of <paramref name="c"/>.</summary>
    public void Add(in ImageColumns c, int r)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)r, (uint)c.Count, nameof(r));
        _images++;
        _crops += c.CropsInferred[r];
        _accuracy.Add(c.Correct[r]);
        _accuracyNative.Add(c.CorrectNative[r]);
        if (c.Label[r] is not null) _withLabels++;
        int shifts = c.Shifts1px[r];
        if (shifts == 0) _withoutShifts++;
        _windowK = Math.Max(_windowK, c.WindowK[r]);
        if (shifts > 0)
        {
            double cosine = c.Cosine1pxMin[r] ?? 0;
            _consistency.Add(c.Consistency1px[r]);
            _fooled.Add(c.Fooled1px[r]);
            _representation.Add(cosine, c.Changed1px[r] ?? false);
            for (int i = 0; i < _means.Length; i++) _means[i].Add(c.Means[i][r]);
        }
        if (c.WindowShifts[r] > 0) _fooledWindow.Add(c.FooledWindow[r]);
        if (c.CyclicShifts1px[r] > 0)
        {
            _cyclicConsistency.Add(c.CyclicConsistency1px[r]);
            _cyclicFooled.Add(c.CyclicFooled1px[r]);
            _cyclicChanged.Add(c.CyclicChanged1px[r] ?? false);
        }
    }

    /// <summary>Adds every row of <paramref name="c"/>.</summary>
    public void AddAll(in ImageColumns c)
    {
        for (int r = 0; r < c.Count; r++) Add(c, r);
    }

    /// <summary>Adds row <paramref name="r"/> of <paramref name="c"/>; cyclic RICS rows are told by their score.</summary>
    public void Add(in RicsColumns c, int r)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)r, (uint)c.Count, nameof(r));
        string score = c.Score[r] ?? throw new InvalidDataException("a rics row's score is null");
        if (string.Equals(score, RicsScores.Name(RicsScore.Cyclic), StringComparison.Ordinal))
        {
            (_ricsCyclic ??= new RicsCyclicAccumulator()).Add(c, r);
            return;
        }
        int window = c.Window[r];
        string mode = c.Mode[r] ?? RicsMode.Select.Name; // files written before modes hold select rows only
        // A file's rows repeat a few settings: the last one is checked before the dictionary.
        if (_lastRics is null || window != _lastWindow || !string.Equals(score, _lastScore, StringComparison.Ordinal)
            || !string.Equals(mode, _lastMode, StringComparison.Ordinal))
        {
            if (!_rics.TryGetValue((window, score, mode), out _lastRics)) _rics[(window, score, mode)] = _lastRics = new RicsAccumulator(_extraTaus);
            (_lastWindow, _lastScore, _lastMode) = (window, score, mode);
        }
        _lastRics.Add(c, r);
    }

    /// <summary>Adds every row of <paramref name="c"/>.</summary>
    public void AddAll(in RicsColumns c)
    {
        for (int r = 0; r < c.Count; r++) Add(c, r);
    }

    public void Merge(ModelAccumulator other)
    {
        ArgumentNullException.ThrowIfNull(other);
        _images += other._images;
        _crops += other._crops;
        _withLabels += other._withLabels;
        _withoutShifts += other._withoutShifts;
        _windowK = Math.Max(_windowK, other._windowK);
        _accuracy.Merge(other._accuracy);
        _accuracyNative.Merge(other._accuracyNative);
        _consistency.Merge(other._consistency);
        _fooled.Merge(other._fooled);
        _fooledWindow.Merge(other._fooledWindow);
        _representation.Merge(other._representation);
        for (int i = 0; i < _means.Length; i++) _means[i].Merge(other._means[i]);
        _cyclicConsistency.Merge(other._cyclicConsistency);
        _cyclicFooled.Merge(other._cyclicFooled);
        _cyclicChanged.Merge(other._cyclicChanged);
        foreach (var (key, acc) in other._rics)
        {
            if (!_rics.TryGetValue(key, out var mine)) _rics[key] = mine = new RicsAccumulator(_extraTaus);
            mine.Merge(acc);
        }
        if (other._ricsCyclic is { } c) (_ricsCyclic ??= new RicsCyclicAccumulator()).Merge(c);
    }

    /// <summary>select first, then the modes in the order of <see cref="RicsMode.All"/> (soft k by k, block b and rook b by b), then any other by name.</summary>
    private static (int, int, string) RicsModeOrder(string mode)
    {
        try
        {
            var m = RicsMode.Parse(mode);
            return (m.Kind switch { RicsModeKind.Select => 0, RicsModeKind.Soft => 1, RicsModeKind.Block => 2, RicsModeKind.Rook => 3, _ => 4 }, m.K, mode);
        }
        catch (ArgumentException) { return (5, 0, mode); }
    }

    /// <summary>The §9 entry. p05 is exact up to <see cref="CosineSketch.ExactCapacity"/> measured images, else within
    /// the sketch's documented bound.</summary>
    public ModelSummary ToSummary(string model, string? dataset, double tau, string? device, int? inputSize, int? resizeSize)
        => new(
            model,
            _images,
            _crops,
            _accuracy.Value,
            new RealisticSummary(
                _consistency.Value,
                _fooled.Value,
                new FooledWindowSummary(_windowK, _windowK > 0 ? _fooledWindow.Value : null),
                _representation.Cosine,
                _representation.Changed(tau),
                _representation.ChangedByTau(tau))
            {
                Means = _means.Length == 0 ? null : RealisticMeans.Select((c, i) => (c.Name, _means[i].Value))
                    .ToDictionary(x => x.Name, x => (object?)x.Value, StringComparer.Ordinal),
            },
            new CyclicSummary(_cyclicConsistency.Value, _cyclicFooled.Value, new ChangedSummary(tau, _cyclicChanged.Value)),
            _rics.OrderBy(kv => kv.Key.Score, StringComparer.Ordinal).ThenBy(kv => kv.Key.Window).ThenBy(kv => RicsModeOrder(kv.Key.Mode))
                .Select(kv => kv.Value.ToSummary(kv.Key.Window, kv.Key.Score, kv.Key.Mode, tau)).ToList(),
            _ricsCyclic?.ToSummary(tau),
            device,
            inputSize,
            resizeSize,
            _withLabels,
            _withoutShifts,
            dataset,
            _accuracyNative.Value);
}
