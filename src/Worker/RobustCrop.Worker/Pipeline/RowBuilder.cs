using RobustCrop.Core.Geometry;
using RobustCrop.Core.Metrics;
using RobustCrop.Core.Results;
using RobustCrop.IO.Results;
using RobustCrop.Worker.Inference;

namespace RobustCrop.Worker.Pipeline;

/// <summary>Turns a finished image × model into its result rows (DESIGN §4 and §8).</summary>
public static class RowBuilder
{
    public static ImageRow ImageRow(EvaluationSettings s, int shard, ImageModelWork w)
    {
        var plan = w.Plan;
        var o = w.Outputs;
        var realistic = ImageMetrics.Realistic(plan, o, ShiftSets.N1, s.Tau);
        var window = s.WindowK > 0 ? ImageMetrics.Realistic(plan, o, ShiftSets.Window(s.WindowK), s.Tau) : null;
        var cyclic = ImageMetrics.Cyclic(plan, o, ShiftSets.N1, s.Tau);
        int? pred = o.HasClasses ? o.Predictions![plan.BaseIndex] : null;
        string? predLabel = pred is int p ? w.Model.Interpreter.ClassName(p) : null;
        bool? correct = w.Image.Label is not null && predLabel is not null ? predLabel == w.Image.Label : null;
        return new ImageRow(
            s.RunId, shard, w.Image.Key, w.Image.Label, w.Model.Id,
            w.Image.SourceWidth, w.Image.SourceHeight, w.Scene.Width, w.Scene.Height,
            plan.Crops.Length,
            pred, predLabel, o.HasClasses ? o.Confidences![plan.BaseIndex] : null, correct,
            realistic.Shifts, realistic.Consistency, realistic.Fooled,
            s.WindowK, window?.Shifts ?? 0, window?.Fooled,
            realistic.CosineMin, realistic.Changed,
            cyclic.Shifts, cyclic.Consistency, cyclic.Fooled, cyclic.CosineMin, cyclic.Changed);
    }

    public static IEnumerable<CropRow> CropRows(EvaluationSettings s, int shard, ImageModelWork w)
    {
        var plan = w.Plan;
        var o = w.Outputs;
        var g = plan.Geometry;
        for (int i = 0; i < plan.Crops.Length; i++)
        {
            var c = plan.Crops[i];
            bool cyclic = c.IsRolled;
            // Rolls are stored modulo C; report them in (−C/2, C/2] so a roll by −1 reads as −1.
            int dx = cyclic ? Signed(c.RollX, g.CropSize) : c.Position.X - g.BaseX;
            int dy = cyclic ? Signed(c.RollY, g.CropSize) : c.Position.Y - g.BaseY;
            int? pred = o.HasClasses ? o.Predictions![i] : null;
            yield return new CropRow(
                s.RunId, shard, w.Image.Key, w.Model.Id,
                cyclic ? CropKinds.Cyclic : CropKinds.Realistic,
                c.Position.X, c.Position.Y, dx, dy,
                pred, pred is int p ? w.Model.Interpreter.ClassName(p) : null,
                o.HasClasses ? o.Confidences![i] : null,
                o.Cosine(plan.BaseIndex, i),
                s.KeepEmbeddings ? o.Vector(i).ToArray() : null);
        }
    }

    public static IEnumerable<RicsRow> RicsRows(EvaluationSettings s, int shard, ImageModelWork w)
    {
        var o = w.Outputs;
        foreach (var setting in w.Rics.Settings)
        {
            if (setting.Frames[0] is not { } baseChoice) continue; // even the unshifted frame's window leaves the scene
            int baseIndex = w.Plan.IndexOf(baseChoice);
            var shifted = setting.Frames.Skip(1).Select(f => f is { } c ? w.Plan.IndexOf(c) : -1).ToArray();
            // Frames 1..8 are N1; any further frames complete W_k.
            var m = ImageMetrics.Compare(o, baseIndex, shifted.AsSpan(0, ShiftSets.N1.Length), s.Tau);
            var window = shifted.Length > ShiftSets.N1.Length ? ImageMetrics.Compare(o, baseIndex, shifted, s.Tau) : null;
            int? pred = o.HasClasses ? o.Predictions![baseIndex] : null;
            string? predLabel = pred is int p ? w.Model.Interpreter.ClassName(p) : null;
            bool cyclic = setting.Score == RicsPlan.CyclicScore;
            yield return new RicsRow(
                s.RunId, shard, w.Image.Key, w.Image.Label, w.Model.Id, setting.Window, setting.Score,
                pred, predLabel, o.HasClasses ? o.Confidences![baseIndex] : null,
                w.Image.Label is not null && predLabel is not null ? predLabel == w.Image.Label : null,
                cyclic ? Signed(setting.OffsetX, w.Plan.Geometry.CropSize) : setting.OffsetX,
                cyclic ? Signed(setting.OffsetY, w.Plan.Geometry.CropSize) : setting.OffsetY,
                setting.Frames.Count(f => f is not null),
                setting.OnBorder.Count(b => b),
                m.Shifts, m.Consistency, m.Fooled, m.CosineMin, m.Changed,
                window is null ? 0 : s.WindowK, window?.Shifts ?? 0, window?.Fooled);
        }
    }

    private static int Signed(int roll, int size) => roll > size / 2 ? roll - size : roll;
}
