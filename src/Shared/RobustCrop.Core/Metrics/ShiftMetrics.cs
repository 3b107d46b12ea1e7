namespace RobustCrop.Core.Metrics;

/// <summary>
/// DESIGN §4 for one image under one family of shifts (realistic or cyclic).
/// Prediction metrics are null when the model has no classes or no shift was taken.
/// </summary>
/// <param name="Shifts">How many shifts of the set were taken.</param>
/// <param name="Consistency">Fraction of shifts whose prediction equals the base prediction.</param>
/// <param name="Fooled">Some shift changed the prediction.</param>
/// <param name="CosineMin">Minimum cosine between the base output and a shifted output (1 when no shift was taken).</param>
/// <param name="Changed">CosineMin &lt; τ.</param>
public sealed record ShiftMetrics(int Shifts, double? Consistency, bool? Fooled, double CosineMin, bool Changed);
