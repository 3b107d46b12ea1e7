using RobustCrop.Core.Metrics;
using RobustCrop.Core.Rics;

namespace RobustCrop.Core.Results;

/// <summary>One realistic RICS setting (window × score × mode) of one model on one dataset.</summary>
/// <param name="extraTaus">As the model's: changed_1px_by_tau of the entry counts the same thresholds.</param>
internal sealed class RicsAccumulator(IReadOnlyList<double> extraTaus)
{
    private readonly RepresentationAccumulator _representation = new(extraTaus);
    private long _images, _frames, _border;
    private int _windowK;
    private bool _anyWindowShifts;
    private MeanAccumulator _consistency, _fooled, _accuracy, _fooledWindow, _kept, _forwards;

    public void Add(in RicsColumns c, int r)
    {
        _images++;
        _frames += c.Frames[r];
        _border += c.BorderChoices[r];
        _windowK = Math.Max(_windowK, c.WindowK[r]);
        _accuracy.Add(c.Correct[r]);
        _kept.Add(c.SelectionKeptAxis1px[r]);
        _forwards.Add(c.ForwardsPerFrame[r] ?? 1.0); // files written before modes hold select rows: one forward
        if (c.Shifts1px[r] > 0)
        {
            _consistency.Add(c.Consistency1px[r]);
            _fooled.Add(c.Fooled1px[r]);
            _representation.Add(c.Cosine1pxMin[r] ?? 0, c.Changed1px[r] ?? false);
        }
        if (c.WindowShifts[r] > 0)
        {
            _anyWindowShifts = true;
            _fooledWindow.Add(c.FooledWindow[r]);
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
        _representation.Merge(o._representation);
        _fooledWindow.Merge(o._fooledWindow);
        _kept.Merge(o._kept);
        _forwards.Merge(o._forwards);
    }

    public RicsSummary ToSummary(int window, string score, string mode, double tau)
        => new(
            window, score,
            _consistency.Value,
            _fooled.Value,
            RicsScores.AxisBound(window),
            _accuracy.Value,
            _representation.Changed(tau),
            _images,
            // A combining mode has no single choice on a window's edge (its named member is not what it classifies).
            _frames > 0 && mode == RicsMode.Select.Name ? (double)_border / _frames : null,
            RicsScores.N1Bound(window),
            _anyWindowShifts ? new FooledWindowSummary(_windowK, _fooledWindow.Value) : null,
            _kept.Value)
        {
            Mode = mode,
            ForwardsPerFrame = _forwards.Value,
            Cosine1pxMin = _representation.Cosine,
            Changed1pxByTau = _representation.ChangedByTau(tau),
        };
}

/// <summary>Cyclic RICS of one model on one dataset: under cyclic shifts (its guarantee) and under realistic ones.</summary>
internal sealed class RicsCyclicAccumulator
{
    private long _images;
    private MeanAccumulator _consistency, _fooled, _accuracy, _identity;
    private readonly RealisticShiftAccumulator _realistic = new();

    public void Add(in RicsColumns c, int r)
    {
        _images++;
        if (c.Shifts1px[r] > 0)
        {
            _consistency.Add(c.Consistency1px[r]);
            _fooled.Add(c.Fooled1px[r]);
        }
        _accuracy.Add(c.Correct[r]);
        _identity.Add(c.OffsetX[r] == 0 && c.OffsetY[r] == 0);
        if (c.RealisticShifts1px[r] > 0)
            _realistic.Add(c.RealisticConsistency1px[r], c.RealisticFooled1px[r], c.RealisticCosine1pxMin[r], c.RealisticChanged1px[r]);
    }

    public void Merge(RicsCyclicAccumulator o)
    {
        _images += o._images;
        _consistency.Merge(o._consistency);
        _fooled.Merge(o._fooled);
        _accuracy.Merge(o._accuracy);
        _identity.Merge(o._identity);
        _realistic.Merge(o._realistic);
    }

    public RicsCyclicSummary ToSummary(double tau)
        => new(_consistency.Value, _fooled.Value, _accuracy.Value, _images, _identity.Value, _realistic.ToSummary(tau));
}

/// <summary>Cyclic RICS's realistic 1-px figures over the measured images, summarised by the plain model's rules (mean
/// consistency, fooled rate, cosine_1px_min's mean / p05 / min through a <see cref="CosineSketch"/>, changed rate).</summary>
internal sealed class RealisticShiftAccumulator
{
    private MeanAccumulator _consistency, _fooled, _cosineMean, _changed;
    private readonly CosineSketch _cosine = new();
    private double _cosineMin = double.PositiveInfinity;

    public void Add(double? consistency, bool? fooled, double? cosineMin, bool? changed)
    {
        _consistency.Add(consistency);
        _fooled.Add(fooled);
        _changed.Add(changed);
        if (cosineMin is not double cos) return;
        _cosineMean.Add(cos);
        _cosine.Add(cos);
        _cosineMin = Math.Min(_cosineMin, cos);
    }

    public void Merge(RealisticShiftAccumulator o)
    {
        _consistency.Merge(o._consistency);
        _fooled.Merge(o._fooled);
        _cosineMean.Merge(o._cosineMean);
        _changed.Merge(o._changed);
        _cosine.Merge(o._cosine);
        _cosineMin = Math.Min(_cosineMin, o._cosineMin);
    }

    public RicsCyclicRealisticSummary ToSummary(double tau)
        => new(_consistency.Value, _fooled.Value,
            new CosineStats(_cosineMean.Value, _cosine.Quantile(0.05), _cosine.Count > 0 ? _cosineMin : null),
            new ChangedSummary(tau, _changed.Value));
}
