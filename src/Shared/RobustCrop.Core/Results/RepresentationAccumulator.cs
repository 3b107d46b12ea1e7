using RobustCrop.Core.Metrics;

namespace RobustCrop.Core.Results;

/// <summary>
/// The representation metrics of one summary entry (DESIGN §4, §9): cosine_1px_min {mean, p05, min}, changed_1px at the
/// run's τ (the rows' own flag) and at every further τ. One class for the plain model and every RICS entry, so a RICS
/// mode's figures are computed exactly as the plain model's.
/// </summary>
internal sealed class RepresentationAccumulator(IReadOnlyList<double> extraTaus)
{
    private readonly MeanAccumulator[] _changedExtra = new MeanAccumulator[extraTaus.Count];
    private readonly CosineSketch _cosine = new();
    private MeanAccumulator _cosineMean, _changed;
    private double _cosineMin = double.PositiveInfinity;

    /// <summary>One measured image (it took some 1-px shift): its cosine_1px_min and changed_1px flag.</summary>
    public void Add(double cosine, bool changed)
    {
        _cosineMean.Add(cosine);
        _cosine.Add(cosine);
        _cosineMin = Math.Min(_cosineMin, cosine);
        _changed.Add(changed);
        for (int i = 0; i < _changedExtra.Length; i++) _changedExtra[i].Add(cosine < extraTaus[i]);
    }

    public void Merge(RepresentationAccumulator other)
    {
        if (other._changedExtra.Length != _changedExtra.Length) throw new ArgumentException("accumulators of different τ lists", nameof(other));
        _cosineMean.Merge(other._cosineMean);
        _changed.Merge(other._changed);
        for (int i = 0; i < _changedExtra.Length; i++) _changedExtra[i].Merge(other._changedExtra[i]);
        _cosineMin = Math.Min(_cosineMin, other._cosineMin);
        _cosine.Merge(other._cosine);
    }

    public CosineStats Cosine => new(_cosineMean.Value, _cosine.Quantile(0.05), _cosine.Count > 0 ? _cosineMin : null);

    public ChangedSummary Changed(double tau) => new(tau, _changed.Value);

    /// <summary>The first entry is changed_1px itself (the rows' own flag), so the two always agree.</summary>
    public IReadOnlyList<ChangedSummary> ChangedByTau(double tau)
        => [Changed(tau), .. extraTaus.Select((t, i) => new ChangedSummary(t, _changedExtra[i].Value))];
}
