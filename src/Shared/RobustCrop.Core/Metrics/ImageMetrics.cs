using RobustCrop.Core.Geometry;

namespace RobustCrop.Core.Metrics;

/// <summary>Pure per-image metric functions over a plan's crop outputs (no model, no I/O).</summary>
public static class ImageMetrics
{
    /// <summary>Metrics of the base crop against the crops at <paramref name="indices"/> (−1 entries: shift not taken).</summary>
    public static ShiftMetrics Compare(CropOutputs outputs, int baseIndex, ReadOnlySpan<int> indices, double tau)
    {
        int taken = 0, same = 0;
        double cosMin = 1.0;
        bool hasClasses = outputs.HasClasses;
        for (int i = 0; i < indices.Length; i++)
        {
            int idx = indices[i];
            if (idx < 0) continue;
            taken++;
            // Identical outputs (the same crop, or a moved view equal to a shift) read exactly 1: CropOutputs.Cosine's rule.
            double cos = Math.Clamp(outputs.Cosine(baseIndex, idx), -1f, 1f);
            if (cos < cosMin) cosMin = cos;
            if (hasClasses && outputs.Predictions![idx] == outputs.Predictions[baseIndex]) same++;
        }
        double? consistency = hasClasses && taken > 0 ? (double)same / taken : null;
        bool? fooled = hasClasses && taken > 0 ? same < taken : null;
        return new ShiftMetrics(taken, consistency, fooled, cosMin, cosMin < tau);
    }

    public static ShiftMetrics Realistic(CropPlan plan, CropOutputs outputs, IReadOnlyList<Shift> shifts, double tau)
    {
        Span<int> idx = shifts.Count <= 256 ? stackalloc int[shifts.Count] : new int[shifts.Count];
        for (int i = 0; i < shifts.Count; i++) idx[i] = plan.IndexOfRealistic(shifts[i]);
        return Compare(outputs, plan.BaseIndex, idx, tau);
    }

    public static ShiftMetrics Cyclic(CropPlan plan, CropOutputs outputs, IReadOnlyList<Shift> shifts, double tau)
    {
        Span<int> idx = shifts.Count <= 256 ? stackalloc int[shifts.Count] : new int[shifts.Count];
        for (int i = 0; i < shifts.Count; i++) idx[i] = plan.IndexOfCyclic(shifts[i]);
        return Compare(outputs, plan.BaseIndex, idx, tau);
    }
}
