using RobustCrop.Core.Data;
using RobustCrop.Core.Metrics;
using RobustCrop.Core.Motion;
using RobustCrop.Core.Results;
using RobustCrop.Core.Settings;

namespace RobustCrop.Core.Measurement;

/// <summary>The motion rows of a finished image × model (DESIGN §4b): the realistic metrics with the moved views in place of
/// the 1-px shifts, for the plain model and for each RICS setting (<see cref="MotionSchema"/>).</summary>
public static class MotionRows
{
    public static List<MotionRow> Build(RunSettings s, ShardId shard, MeasuredImage w)
    {
        var rows = new List<MotionRow>();
        if (w.Motion is not { } motion) return rows;
        var o = w.Outputs;
        foreach (var e in motion.Entries)
        {
            int[] views = [.. e.Outputs];
            var m = ImageMetrics.Compare(o, w.Plan.BaseIndex, views, s.Tau);
            rows.Add(Row(s, shard, w, e.Spec, null, null, null, m, null, null, s.KeepEmbeddings ? RowBuilder.Concatenated(o, views) : null));
            foreach (var r in e.Rics)
            {
                if (r.BaseOutput < 0) continue;
                // A combining mode compares its views' combined outputs (row 0: the base frame's), select the chosen crops'.
                var (rm, embeddings) = r.Members is { } members
                    ? Combined(w, r.BaseMembers!, members, s.Tau, s.KeepEmbeddings)
                    : Selected(o, r.BaseOutput, [.. r.Outputs], s.Tau, s.KeepEmbeddings);
                int taken = 0, kept = 0, border = 0;
                for (int i = 0; i < r.Outputs.Count; i++)
                {
                    if (r.Outputs[i] < 0) continue;
                    taken++;
                    if (r.Kept[i]) kept++;
                    if (r.OnBorder[i]) border++;
                }
                // A combining mode has no single choice to lie on the border: its border rate is null.
                rows.Add(Row(s, shard, w, e.Spec, r.Setting.Window, r.Setting.Name, r.Mode, rm,
                    taken > 0 ? (double)kept / taken : null, taken > 0 && r.Members is null ? (double)border / taken : null, embeddings));
            }
        }
        return rows;
    }

    private static (ShiftMetrics, float[]?) Selected(CropOutputs o, int baseOutput, int[] views, double tau, bool keep)
        => (ImageMetrics.Compare(o, baseOutput, views, tau), keep ? RowBuilder.Concatenated(o, views) : null);

    private static (ShiftMetrics, float[]?) Combined(MeasuredImage w, IReadOnlyList<(int Output, float Weight)> baseMembers,
        IReadOnlyList<IReadOnlyList<(int Output, float Weight)>> views, double tau, bool keep)
    {
        var (o, shifted, _) = CombinedOutputs.Build(w, [baseMembers, .. views]);
        return (ImageMetrics.Compare(o, 0, shifted, tau), keep ? RowBuilder.Concatenated(o, shifted) : null);
    }

    private static MotionRow Row(RunSettings s, ShardId shard, MeasuredImage w, MotionSpec spec, int? window, string? score,
        string? mode, ShiftMetrics m, double? kept, double? border, float[]? embeddings)
        => new(s.RunId.Value, shard.Value, w.Key, w.Label, w.Model, spec.Name, spec.KindName, spec.Amount, window, score, mode,
            m.Shifts, m.Consistency, m.Fooled, m.CosineMin, m.Changed, kept, border, embeddings);
}
