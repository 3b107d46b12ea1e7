using System.Globalization;
using RobustCrop.Core.Data;
using RobustCrop.Core.Geometry;
using RobustCrop.Core.Metrics;
using RobustCrop.Core.Models;
using RobustCrop.Core.Planning;
using RobustCrop.Core.Results;
using RobustCrop.Core.Rics;
using RobustCrop.Core.Settings;

namespace RobustCrop.Core.Measurement;

/// <summary>One finished image × model, as the measurement needs it: the image's facts, the model's interpreter, the
/// crop plan and the outputs of every planned crop.</summary>
/// <param name="NativeIndex">Where the native centre crop's output is (after the plan's crops); -1 without one.</param>
public sealed record MeasuredImage(
    string Key,
    string? Label,
    int SourceWidth,
    int SourceHeight,
    int SceneWidth,
    int SceneHeight,
    SampleMetadata? Metadata,
    string Model,
    OutputInterpreter Interpreter,
    CropPlan Plan,
    CropOutputs Outputs,
    RicsPlan Rics,
    int NativeIndex,
    MotionPlan? Motion = null);

/// <summary>
/// Turns a finished image × model into its result rows (DESIGN §4 and §8): the one place outputs become columns, so a
/// new metric is computed here, declared in its file's schema (<see cref="ImagesSchema"/>) and summarised in
/// <see cref="ModelAccumulator"/>.
/// </summary>
public static class RowBuilder
{
    /// <summary>The model's answer on one crop of the plan, with its correctness against the image's label.</summary>
    private readonly record struct Answer(int? Prediction, string? Label, float? Confidence, bool? Correct);

    private static Answer AnswerOn(MeasuredImage w, int crop) => AnswerOn(w, w.Outputs, crop);

    private static Answer AnswerOn(MeasuredImage w, CropOutputs o, int crop)
    {
        int? pred = o.HasClasses ? o.Predictions![crop] : null;
        string? label = pred is int p ? w.Interpreter.ClassName(p) : null;
        return new Answer(pred, label, o.HasClasses ? o.Confidences![crop] : null,
            w.Label is { } truth && pred is int k ? w.Interpreter.IsLabel(k, truth) : null);
    }

    public static ErrorRow ErrorRow(RunSettings s, ShardId shard, string key, ErrorStage stage, string reason)
        => new(s.RunId.Value, shard.Value, key, ErrorStages.Name(stage), reason);

    public static ImageRow ImageRow(RunSettings s, ShardId shard, MeasuredImage w)
    {
        var plan = w.Plan;
        var o = w.Outputs;
        var realistic = ImageMetrics.Realistic(plan, o, ShiftSets.N1, s.Tau);
        var window = s.WindowK > 0 ? ImageMetrics.Realistic(plan, o, ShiftSets.Window(s.WindowK), s.Tau) : null;
        var cyclic = ImageMetrics.Cyclic(plan, o, ShiftSets.N1, s.Tau);
        var a = AnswerOn(w, plan.BaseIndex);
        return new ImageRow(
            s.RunId.Value, shard.Value, w.Key, w.Label, w.Model,
            w.SourceWidth, w.SourceHeight, w.SceneWidth, w.SceneHeight,
            plan.Crops.Length + (w.Motion?.Crops.Count ?? 0), // moved views' crops are inferred for this image too
            a.Prediction, a.Label, a.Confidence, a.Correct,
            realistic.Shifts, realistic.Consistency, realistic.Fooled,
            s.WindowK, window?.Shifts ?? 0, window?.Fooled,
            realistic.CosineMin, realistic.Changed,
            cyclic.Shifts, cyclic.Consistency, cyclic.Fooled, cyclic.CosineMin, cyclic.Changed,
            // img2dataset's metadata joins results back to the collection; captions can be large, so only on request.
            w.Metadata?.Url, s.KeepCaptions ? w.Metadata?.Caption : null, w.Metadata?.Key,
            w.Metadata?.Width, w.Metadata?.Height, w.Metadata?.Status,
            w.NativeIndex >= 0 ? AnswerOn(w, w.NativeIndex).Correct : null,
            Cosine1pxMean(w));
    }

    /// <summary>The mean over the 1-px shifts taken of cos(base output, shifted output): how far a typical 1-px shift
    /// moves the output, where cosine_1px_min gives the worst one; null when the scene has room for no shift.</summary>
    private static double? Cosine1pxMean(MeasuredImage w)
    {
        double sum = 0;
        int taken = 0;
        foreach (var shift in ShiftSets.N1)
        {
            int i = w.Plan.IndexOfRealistic(shift);
            if (i < 0) continue;
            sum += Math.Clamp(w.Outputs.Cosine(w.Plan.BaseIndex, i), -1f, 1f);
            taken++;
        }
        return taken > 0 ? sum / taken : null;
    }

    // Lists rather than iterators: a compiler-made iterator reads System.Environment (its thread id), which the pure core
    // does not touch.
    public static List<CropRow> CropRows(RunSettings s, ShardId shard, MeasuredImage w)
    {
        var rows = new List<CropRow>(w.Plan.Crops.Length);
        var plan = w.Plan;
        var o = w.Outputs;
        var g = plan.Geometry;
        for (int i = 0; i < plan.Crops.Length; i++)
        {
            var c = plan.Crops[i];
            var kind = c.IsRolled ? CropKind.Cyclic : CropKind.Realistic;
            // Rolls are stored modulo C; report them in (−C/2, C/2] so a roll by −1 reads as −1.
            int dx = kind == CropKind.Cyclic ? Signed(c.RollX, g.CropSize) : c.Position.X - g.BaseX;
            int dy = kind == CropKind.Cyclic ? Signed(c.RollY, g.CropSize) : c.Position.Y - g.BaseY;
            var a = AnswerOn(w, i);
            rows.Add(new CropRow(
                s.RunId.Value, shard.Value, w.Key, w.Model,
                CropKinds.Name(kind),
                c.Position.X, c.Position.Y, dx, dy,
                a.Prediction, a.Label, a.Confidence,
                o.Cosine(plan.BaseIndex, i),
                s.KeepEmbeddings ? o.Vector(i).ToArray() : null));
        }
        return rows;
    }

    public static List<RicsRow> RicsRows(RunSettings s, ShardId shard, MeasuredImage w)
    {
        var rows = new List<RicsRow>(w.Rics.Settings.Count);
        foreach (var setting in w.Rics.Settings)
        {
            if (setting.Frames[0] is not { } baseChoice) continue; // even the unshifted frame's window leaves the scene
            // A select setting reads the plan's crops; a combining mode its frames' combined outputs (row i = frame i).
            var (o, baseIndex, shifted, forwards) = setting.Members is null ? Selected(w, setting, baseChoice) : Combined(w, setting);
            // Frames 1..8 are N1; any further frames complete W_k.
            var n1 = shifted.AsSpan(0, ShiftSets.N1.Length);
            var m = ImageMetrics.Compare(o, baseIndex, n1, s.Tau);
            var window = shifted.Length > ShiftSets.N1.Length ? ImageMetrics.Compare(o, baseIndex, shifted, s.Tau) : null;
            var a = AnswerOn(w, o, baseIndex);
            bool cyclic = setting.Setting.IsCyclic;
            var real = CyclicUnderRealisticShifts(s, w, setting, baseIndex);
            rows.Add(new RicsRow(
                s.RunId.Value, shard.Value, w.Key, w.Label, w.Model, setting.Window, setting.Score,
                a.Prediction, a.Label, a.Confidence, a.Correct,
                cyclic ? Signed(setting.OffsetX, w.Plan.Geometry.CropSize) : setting.OffsetX,
                cyclic ? Signed(setting.OffsetY, w.Plan.Geometry.CropSize) : setting.OffsetY,
                setting.Frames.Count(f => f is not null),
                setting.OnBorder.Count(b => b),
                m.Shifts, m.Consistency, m.Fooled, m.CosineMin, m.Changed,
                window is null ? 0 : s.WindowK, window?.Shifts ?? 0, window?.Fooled,
                cyclic || setting.Members is not null ? null : KeptAxis(setting, baseChoice),
                real?.Shifts, real?.Consistency, real?.Fooled,
                real is { Shifts: > 0 } r ? r.CosineMin : null, real is { Shifts: > 0 } c ? c.Changed : null,
                setting.Mode, forwards,
                s.KeepEmbeddings ? o.Vector(baseIndex).ToArray() : null,
                s.KeepEmbeddings ? Concatenated(o, n1) : null));
        }
        return rows;
    }

    /// <summary>The canonicalised model (cyclic RICS) under realistic 1-px shifts: each shifted crop's canonical image against
    /// the canonical base, by the plain model's own comparison; null for a setting without realistic frames.</summary>
    private static ShiftMetrics? CyclicUnderRealisticShifts(RunSettings s, MeasuredImage w, RicsSettingChoices setting, int baseIndex)
    {
        if (setting.RealisticFrames is not { } frames) return null;
        Span<int> shifted = stackalloc int[ShiftSets.N1.Length];
        for (int i = 0; i < shifted.Length; i++) shifted[i] = frames[i + 1] is { } c ? w.Plan.IndexOf(c) : -1;
        return ImageMetrics.Compare(w.Outputs, baseIndex, shifted, s.Tau);
    }

    private static (CropOutputs Outputs, int BaseIndex, int[] Shifted, double Forwards) Selected(MeasuredImage w, RicsSettingChoices setting,
        PlannedCrop baseChoice)
        => (w.Outputs, w.Plan.IndexOf(baseChoice), setting.Frames.Skip(1).Select(f => f is { } c ? w.Plan.IndexOf(c) : -1).ToArray(), 1.0);

    /// <summary>Each frame's combined output (DESIGN §5b) as row i of a small outputs table, so the metrics below are the very
    /// ones of the plain model and of select; forwards = the mean over the frames that fit of the crops combined.</summary>
    private static (CropOutputs Outputs, int BaseIndex, int[] Shifted, double Forwards) Combined(MeasuredImage w, RicsSettingChoices setting)
    {
        var (o, shifted, forwards) = CombinedOutputs.Build(w,
            [.. setting.Members!.Select(list => (IReadOnlyList<(int, float)>)[.. list.Select(m => (w.Plan.IndexOf(m.Crop), m.Weight))])]);
        return (o, 0, shifted, forwards);
    }

    /// <summary>The outputs at <paramref name="indices"/> (−1: none, left out), one after another: the kept embeddings of the
    /// rics rows' 1-px frames and of the motion rows' moved views.</summary>
    internal static float[] Concatenated(CropOutputs o, ReadOnlySpan<int> indices)
    {
        var result = new List<float>(indices.Length * o.Dimension);
        foreach (int i in indices)
            if (i >= 0) result.AddRange(o.Vector(i));
        return [.. result];
    }

    /// <summary>The share of the axis 1-px frames (that fit the scene) whose choice is the base frame's scene crop.</summary>
    private static double? KeptAxis(RicsSettingChoices setting, PlannedCrop baseChoice)
    {
        int taken = 0, kept = 0;
        for (int i = 1; i < setting.Frames.Count; i++)
        {
            if (setting.Frames[i] is not { } choice || !ShiftSets.Axis1.Contains(setting.Shifts[i])) continue;
            taken++;
            if (choice == baseChoice) kept++;
        }
        return taken > 0 ? (double)kept / taken : null;
    }

    /// <summary>predict's one row per input: the answer on the single crop the mode chose.</summary>
    public static PredictionRow PredictionRow(RunSettings s, ShardId shard, MeasuredImage w, string mode, RicsSetting? selection)
    {
        var c = w.Plan.Crops[0];
        var g = w.Plan.Geometry;
        // A combining mode answers on its members' combined output; the row's position is the member its plan names first.
        var o = w.Rics.Settings is [{ Members: not null } combined] ? Combined(w, combined).Outputs : w.Outputs;
        var a = AnswerOn(w, o, 0);
        return new PredictionRow(s.RunId.Value, shard.Value, w.Key, w.Label, w.Model, mode,
            selection is { IsCyclic: false } r ? r.Window : 1,
            selection?.Name,
            c.Position.X, c.Position.Y, c.Position.X - g.BaseX, c.Position.Y - g.BaseY, c.RollX, c.RollY,
            a.Prediction, a.Label, a.Confidence, a.Correct, TopK(w, o, 0));
    }

    /// <summary>How many classes a prediction row lists in <c>top_k</c>.</summary>
    public const int TopClasses = 3;

    /// <summary>"Coat 0.812 | Shirt 0.101 | Pullover 0.050" (a class without a name by its index); null without classes.
    /// '|' separates, because class names hold commas ("tench, Tinca tinca").</summary>
    private static string? TopK(MeasuredImage w, CropOutputs o, int crop)
    {
        var top = w.Interpreter.TopK(o, crop, TopClasses);
        if (top.Count == 0) return null;
        return string.Join(" | ", top.Select(t => string.Create(CultureInfo.InvariantCulture,
            $"{w.Interpreter.ClassName(t.Class) ?? t.Class.ToString(CultureInfo.InvariantCulture)} {t.Probability:0.000}")));
    }

    private static int Signed(int roll, int size) => roll > size / 2 ? roll - size : roll;
}
