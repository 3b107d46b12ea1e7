using RobustCrop.Core.Metrics;

namespace RobustCrop.Core.Measurement;

/// <summary>
/// The combined outputs of a combining RICS mode (DESIGN §5b), one row per frame or view: row f is the combination of
/// frame f's members, so the plain model's comparison (<see cref="ImageMetrics.Compare"/>) applies to it unchanged. The
/// rics rows (the 1-px frames) and the motion rows (the moved views) both build theirs here.
/// </summary>
internal static class CombinedOutputs
{
    /// <param name="frames">Per frame, its members' output indices in <see cref="MeasuredImage.Outputs"/> and weights; frame 0
    /// is the base, an empty list a frame whose window leaves the scene.</param>
    /// <returns>The table, the row of each frame after the first (−1: none) and the mean members per frame that has some.</returns>
    public static (CropOutputs Outputs, int[] Shifted, double Forwards) Build(MeasuredImage w, IReadOnlyList<IReadOnlyList<(int Output, float Weight)>> frames)
    {
        var o = new CropOutputs(frames.Count, w.Outputs.Dimension, w.Outputs.HasClasses);
        var scratch = new float[w.Interpreter.ClassCount + w.Outputs.Dimension];
        var shifted = new int[frames.Count - 1];
        int taken = 0, combined = 0;
        for (int f = 0; f < frames.Count; f++)
        {
            var list = frames[f];
            if (f > 0) shifted[f - 1] = list.Count > 0 ? f : -1;
            if (list.Count == 0) continue;
            var crops = new int[list.Count];
            var weights = new float[list.Count];
            for (int i = 0; i < list.Count; i++) (crops[i], weights[i]) = list[i];
            w.Interpreter.Combine(w.Outputs, crops, weights, o, f, scratch);
            taken++;
            combined += list.Count;
        }
        return (o, shifted, taken > 0 ? (double)combined / taken : 0);
    }
}
