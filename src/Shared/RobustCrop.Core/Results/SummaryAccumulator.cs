using RobustCrop.Core.Metrics;
using RobustCrop.Core.Rics;

namespace RobustCrop.Core.Results;

/// <summary>The columns of one images row that the summary uses (ImageRow without the strings the summary ignores).</summary>
public readonly record struct ImageFacts(
    int CropsInferred,
    bool? Correct,
    bool HasLabel,
    int Shifts1px,
    double? Consistency1px,
    bool? Fooled1px,
    int WindowK,
    int WindowShifts,
    bool? FooledWindow,
    double Cosine1pxMin,
    bool Changed1px,
    int CyclicShifts1px,
    double? CyclicConsistency1px,
    bool? CyclicFooled1px,
    bool CyclicChanged1px,
    bool? CorrectNative = null)
{
    public static ImageFacts Of(ImageRow r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new(r.CropsInferred, r.Correct, r.Label is not null, r.Shifts1px, r.Consistency1px, r.Fooled1px, r.WindowK,
            r.WindowShifts, r.FooledWindow, r.Cosine1pxMin, r.Changed1px, r.CyclicShifts1px, r.CyclicConsistency1px,
            r.CyclicFooled1px, r.CyclicChanged1px, r.CorrectNative);
    }
}

/// <summary>The columns of one rics row that the summary uses.</summary>
public readonly record struct RicsFacts(
    int Window,
    bool Cyclic,
    bool? Correct,
    int OffsetX,
    int OffsetY,
    int Frames,
    int BorderChoices,
    int Shifts1px,
    double? Consistency1px,
    bool? Fooled1px,
    bool Changed1px,
    int WindowK,
    int WindowShifts,
    bool? FooledWindow);

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
    private readonly IReadOnlyList<double> _extraTaus = extraTaus ?? [];
    private readonly MeanAccumulator[] _changedExtra = new MeanAccumulator[extraTaus?.Count ?? 0];
    private long _images, _crops, _withLabels, _withoutShifts;
    private int _windowK;
    private MeanAccumulator _accuracy, _accuracyNative, _consistency, _fooled, _fooledWindow, _cosineMean, _changed;
    private MeanAccumulator _cyclicConsistency, _cyclicFooled, _cyclicChanged;
    private double _cosineMin = double.PositiveInfinity;
    private readonly CosineSketch _cosine = new();
    private readonly Dictionary<(int Window, string Score), RicsAccumulator> _rics = [];
    private RicsCyclicAccumulator? _ricsCyclic;
    private RicsAccumulator? _lastRics;
    private int _lastWindow;
    private string? _lastScore;

    public long Images => _images;

    public int WindowK => _windowK;

    public void Add(in ImageFacts r)
    {
        _images++;
        _crops += r.CropsInferred;
        _accuracy.Add(r.Correct);
        _accuracyNative.Add(r.CorrectNative);
        if (r.HasLabel) _withLabels++;
        if (r.Shifts1px == 0) _withoutShifts++;
        _windowK = Math.Max(_windowK, r.WindowK);
        if (r.Shifts1px > 0)
        {
            _consistency.Add(r.Consistency1px);
            _fooled.Add(r.Fooled1px);
            _cosineMean.Add(r.Cosine1pxMin);
            _cosine.Add(r.Cosine1pxMin);
            _cosineMin = Math.Min(_cosineMin, r.Cosine1pxMin);
            _changed.Add(r.Changed1px);
            for (int i = 0; i < _changedExtra.Length; i++) _changedExtra[i].Add(r.Cosine1pxMin < _extraTaus[i]);
        }
        if (r.WindowShifts > 0) _fooledWindow.Add(r.FooledWindow);
        if (r.CyclicShifts1px > 0)
        {
            _cyclicConsistency.Add(r.CyclicConsistency1px);
            _cyclicFooled.Add(r.CyclicFooled1px);
            _cyclicChanged.Add(r.CyclicChanged1px);
        }
    }

    /// <param name="score">The row's score name; cyclic rows are told by <see cref="RicsFacts.Cyclic"/>.</param>
    public void Add(in RicsFacts r, string score)
    {
        if (r.Cyclic)
        {
            (_ricsCyclic ??= new RicsCyclicAccumulator()).Add(r);
            return;
        }
        // A file's rows repeat a few settings: the last one is checked before the dictionary.
        if (_lastRics is null || r.Window != _lastWindow || !string.Equals(score, _lastScore, StringComparison.Ordinal))
        {
            if (!_rics.TryGetValue((r.Window, score), out _lastRics)) _rics[(r.Window, score)] = _lastRics = new RicsAccumulator();
            (_lastWindow, _lastScore) = (r.Window, score);
        }
        _lastRics.Add(r);
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
        _cosineMean.Merge(other._cosineMean);
        _changed.Merge(other._changed);
        if (other._changedExtra.Length != _changedExtra.Length) throw new ArgumentException("accumulators of different τ lists", nameof(other));
        for (int i = 0; i < _changedExtra.Length; i++) _changedExtra[i].Merge(other._changedExtra[i]);
        _cyclicConsistency.Merge(other._cyclicConsistency);
        _cyclicFooled.Merge(other._cyclicFooled);
        _cyclicChanged.Merge(other._cyclicChanged);
        _cosineMin = Math.Min(_cosineMin, other._cosineMin);
        _cosine.Merge(other._cosine);
        foreach (var (key, acc) in other._rics)
        {
            if (!_rics.TryGetValue(key, out var mine)) _rics[key] = mine = new RicsAccumulator();
            mine.Merge(acc);
        }
        if (other._ricsCyclic is { } c) (_ricsCyclic ??= new RicsCyclicAccumulator()).Merge(c);
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
                new CosineStats(_cosineMean.Value, _cosine.Quantile(0.05), _cosine.Count > 0 ? _cosineMin : null),
                new ChangedSummary(tau, _changed.Value),
                // The first entry is changed_1px itself (the rows' own flag), so the two always agree.
                [new ChangedSummary(tau, _changed.Value), .. _extraTaus.Select((t, i) => new ChangedSummary(t, _changedExtra[i].Value))]),
            new CyclicSummary(_cyclicConsistency.Value, _cyclicFooled.Value, new ChangedSummary(tau, _cyclicChanged.Value)),
            _rics.OrderBy(kv => kv.Key.Score, StringComparer.Ordinal).ThenBy(kv => kv.Key.Window)
                .Select(kv => kv.Value.ToSummary(kv.Key.Window, kv.Key.Score, tau)).ToList(),
            _ricsCyclic?.ToSummary(),
            device,
            inputSize,
            resizeSize,
            _withLabels,
            _withoutShifts,
            dataset,
            _accuracyNative.Value);
}

/// <summary>One realistic RICS setting (window × score) of one model on one dataset.</summary>
internal sealed class RicsAccumulator
{
    private long _images, _frames, _border;
    private int _windowK;
    private bool _anyWindowShifts;
    private MeanAccumulator _consistency, _fooled, _accuracy, _changed, _fooledWindow;

    public void Add(in RicsFacts r)
    {
        _images++;
        _frames += r.Frames;
        _border += r.BorderChoices;
        _windowK = Math.Max(_windowK, r.WindowK);
        _accuracy.Add(r.Correct);
        if (r.Shifts1px > 0)
        {
            _consistency.Add(r.Consistency1px);
            _fooled.Add(r.Fooled1px);
            _changed.Add(r.Changed1px);
        }
        if (r.WindowShifts > 0)
        {
            _anyWindowShifts = true;
            _fooledWindow.Add(r.FooledWindow);
        }
    }

    public void Merge(RicsAccumulator o)
    {
        _images += o._images;
        _frames += o._frames;
        _border += o._border;
        _windowK = Math.Max(_windowK, o._windowK);
        _anyWindowShifts |= o._anyWindowShifts;
        _consistency.Merge(o._consistency);
        _fooled.Merge(o._fooled);
        _accuracy.Merge(o._accuracy);
        _changed.Merge(o._changed);
        _fooledWindow.Merge(o._fooledWindow);
    }

    public RicsSummary ToSummary(int window, string score, double tau)
        => new(
            window, score,
            _consistency.Value,
            _fooled.Value,
            RicsScores.AxisBound(window),
            _accuracy.Value,
            new ChangedSummary(tau, _changed.Value),
            _images,
            _frames > 0 ? (double)_border / _frames : null,
            RicsScores.N1Bound(window),
            _anyWindowShifts ? new FooledWindowSummary(_windowK, _fooledWindow.Value) : null);
}

/// <summary>Cyclic RICS of one model on one dataset.</summary>
internal sealed class RicsCyclicAccumulator
{
    private long _images;
    private MeanAccumulator _consistency, _fooled, _accuracy, _identity;

    public void Add(in RicsFacts r)
    {
        _images++;
        if (r.Shifts1px > 0)
        {
            _consistency.Add(r.Consistency1px);
            _fooled.Add(r.Fooled1px);
        }
        _accuracy.Add(r.Correct);
        _identity.Add(r.OffsetX == 0 && r.OffsetY == 0);
    }

    public void Merge(RicsCyclicAccumulator o)
    {
        _images += o._images;
        _consistency.Merge(o._consistency);
        _fooled.Merge(o._fooled);
        _accuracy.Merge(o._accuracy);
        _identity.Merge(o._identity);
    }

    public RicsCyclicSummary ToSummary()
        => new(_consistency.Value, _fooled.Value, _accuracy.Value, _images, _identity.Value);
}
