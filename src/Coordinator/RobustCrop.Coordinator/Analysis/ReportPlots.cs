using System.Globalization;
using RobustCrop.Core.Results;
using ScottPlot;
using RobustCrop.Core.Rics;

namespace RobustCrop.Coordinator.Analysis;

/// <summary>The report's plots as PNG bytes (ScottPlot, rendered off-screen by Skia).</summary>
public static class ReportPlots
{
    private const int Width = 640, Height = 480;

    private static Plot NewPlot(bool hasFont)
    {
        var plt = new Plot();
        if (hasFont) plt.Font.Set(ReportFonts.Family);
        return plt;
    }

    private static byte[] Png(Plot plt, int width = Width, int height = Height) => plt.GetImageBytes(width, height, ImageFormat.Png);

    /// <summary>Heatmap over (dx, dy) ∈ W_k; dy grows downwards as in image coordinates, each cell labelled with its percentage.
    /// <paramref name="low"/> is the colour scale's low end, shared by every map of a report (high end 100%).</summary>
    public static byte[] ConsistencyMap(ConsistencyMap map, double tau, double low, bool hasFont)
    {
        int k = map.K, n = 2 * k + 1;
        var data = new double[n, n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) data[i, j] = double.NaN;
        foreach (var c in map.Cells) data[c.Dy + k, c.Dx + k] = c.Agree;
        var plt = NewPlot(hasFont);
        var hm = plt.Add.Heatmap(data);
        hm.Colormap = new ScottPlot.Colormaps.Viridis();
        hm.ManualRange = new ScottPlot.Range(low, 1.0);
        hm.Position = new CoordinateRect(-k - 0.5, k + 0.5, -k - 0.5, k + 0.5);
        plt.Add.ColorBar(hm);
        foreach (var c in map.Cells)
        {
            var t = plt.Add.Text((100 * c.Agree).ToString("0.#", CultureInfo.InvariantCulture) + "%", c.Dx, -c.Dy);
            t.LabelAlignment = Alignment.MiddleCenter;
            t.LabelFontSize = n <= 5 ? 16 : 10;
            t.LabelFontColor = c.Agree > (low + 1.0) / 2 ? Colors.Black : Colors.White;
        }
        var ticks = Enumerable.Range(-k, n).ToArray();
        plt.Axes.Bottom.SetTicks(ticks.Select(v => (double)v).ToArray(), ticks.Select(v => v.ToString(CultureInfo.InvariantCulture)).ToArray());
        plt.Axes.Left.SetTicks(ticks.Select(v => (double)-v).ToArray(), ticks.Select(v => v.ToString(CultureInfo.InvariantCulture)).ToArray());
        plt.Axes.SetLimits(-k - 0.5, k + 0.5, -k - 0.5, k + 0.5);
        plt.Title($"{map.Model} on {map.Dataset}, W{k}\n{map.Measure(tau)}");
        plt.Axes.Title.Label.FontSize = 13;
        plt.XLabel("dx (px)");
        plt.YLabel("dy (px)");
        return Png(plt, 560, 480);
    }

    /// <summary>Histogram of cosine_1px_min per model (overlaid), with τ marked.</summary>
    public static byte[] CosineHistogram(IReadOnlyDictionary<string, double[]> byModel, double tau, bool hasFont)
    {
        var plt = NewPlot(hasFont);
        var all = byModel.Values.SelectMany(v => v).ToArray();
        double lo = all.Length == 0 ? 0.9 : Math.Min(all.Min(), tau), hi = 1.0;
        if (hi - lo < 1e-3) lo = hi - 1e-3;
        const int bins = 40;
        double width = (hi - lo) / bins;
        var palette = new ScottPlot.Palettes.Category10();
        int index = 0;
        foreach (var (model, values) in byModel.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var counts = new double[bins];
            foreach (var v in values) counts[Math.Clamp((int)((v - lo) / width), 0, bins - 1)]++;
            var color = palette.GetColor(index++).WithAlpha(0.55);
            var bars = Enumerable.Range(0, bins).Select(b => new Bar
            {
                Position = lo + (b + 0.5) * width, Value = counts[b], Size = width, FillColor = color, LineWidth = 0,
            }).ToList();
            var plottable = plt.Add.Bars(bars);
            plottable.LegendText = $"{model} (n={values.Length})";
        }
        var line = plt.Add.VerticalLine(tau, 2, Colors.Red, LinePattern.Dashed);
        line.LegendText = $"τ = {tau.ToString("0.###", CultureInfo.InvariantCulture)}";
        plt.ShowLegend(Alignment.UpperLeft);
        plt.Title("cosine_1px_min: worst cosine to the base over the 8 one-pixel shifts");
        plt.XLabel("cosine_1px_min");
        plt.YLabel("images");
        plt.Axes.Margins(bottom: 0);
        return Png(plt);
    }

    /// <summary>
    /// RICS per model against the window n: measured consistency_1px and accuracy per score where the model answers with a
    /// class, else the share of images whose selected crop keeps cosine ≥ τ over the 1-px shifts (1 − changed_1px); the
    /// (n−1)/(n+1) axis bound of the hash score; the baseline (standard centre crop) drawn at n = 1. The legend sits
    /// outside the data, so no point is hidden under it.
    /// </summary>
    public static byte[] RicsByWindow(ModelSummary m, bool hasFont)
    {
        var plt = NewPlot(hasFont);
        var palette = new ScottPlot.Palettes.Category10();
        int maxN = m.Rics.Max(r => r.Window);
        var boundX = Enumerable.Range(1, Math.Max(maxN, 3)).Where(n => n % 2 == 1).Select(n => (double)n).ToArray();
        var bound = plt.Add.Scatter(boundX, boundX.Select(n => 100 * RicsScores.AxisBound((int)n)).ToArray(), Colors.Gray);
        bound.LinePattern = LinePattern.Dashed;
        bound.LegendText = "hash bound (n−1)/(n+1), one axis";
        bool classes = m.Rics.Any(r => r.Consistency1px is not null);
        int i = 0;
        foreach (var g in m.Rics.GroupBy(SettingLabel).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var color = palette.GetColor(i++);
            var rows = g.OrderBy(r => r.Window).ToList();
            if (classes)
            {
                AddSeries(plt, rows.Where(r => r.Consistency1px is not null).Select(r => ((double)r.Window, 100 * r.Consistency1px!.Value)), color, LinePattern.Solid, $"{g.Key}: consistency_1px");
                AddSeries(plt, rows.Where(r => r.Accuracy is not null).Select(r => ((double)r.Window, 100 * r.Accuracy!.Value)), color, LinePattern.Dotted, $"{g.Key}: accuracy");
            }
            else
                AddSeries(plt, rows.Where(r => r.Changed1px.Rate is not null).Select(r => ((double)r.Window, 100 * (1 - r.Changed1px.Rate!.Value))), color, LinePattern.Solid, $"{g.Key}: cosine ≥ τ (1 − changed_1px)");
            // The measured event the hash bound is about, beside it: the same scene crop kept under an axis 1-px shift.
            AddSeries(plt, rows.Where(r => r.SelectionKeptAxis1px is not null).Select(r => ((double)r.Window, 100 * r.SelectionKeptAxis1px!.Value)), color, LinePattern.Dashed, $"{g.Key}: same crop kept (axis)",
                MarkerShape.OpenTriangleUp);
        }
        double? baseline = classes ? m.Realistic.Consistency1px : 1 - m.Realistic.Changed1px.Rate;
        if (baseline is { } c0)
        {
            var p = plt.Add.Marker(1, 100 * c0, MarkerShape.FilledSquare, 10, Colors.Black);
            p.LegendText = classes ? "baseline consistency (centre crop)" : "baseline cosine ≥ τ (centre crop)";
        }
        if (classes && m.Accuracy is { } a0)
        {
            var p = plt.Add.Marker(1, 100 * a0, MarkerShape.OpenSquare, 10, Colors.Black);
            p.LegendText = "baseline accuracy";
        }
        plt.ShowLegend(Edge.Right);
        plt.Axes.SetLimitsX(0, Math.Max(maxN, 3) + 1);
        // Windows are odd: tick the windows themselves, not halves.
        plt.Axes.Bottom.SetTicks(boundX, boundX.Select(n => n.ToString(CultureInfo.InvariantCulture)).ToArray());
        plt.Title($"{m.Model}: RICS against the window n");
        plt.XLabel("window n");
        plt.YLabel("%");
        return Png(plt, 860, Height);
    }

    /// <summary>
    /// The consistency / accuracy trade-off: one point per window, labelled with its n, the baseline as a square; only for
    /// labelled runs. Points are not joined: over a full sweep, neighbouring windows need not be neighbours in this plane,
    /// and a line through them in n order is a zig-zag. The legend sits outside the data and the axes leave room for
    /// every label.
    /// </summary>
    public static byte[]? RicsTradeOff(ModelSummary m, bool hasFont)
    {
        if (m.Accuracy is null || m.Rics.All(r => r.Accuracy is null || r.Consistency1px is null)) return null;
        var plt = NewPlot(hasFont);
        var palette = new ScottPlot.Palettes.Category10();
        var xs = new List<double>();
        var ys = new List<double>();
        // The baseline first: a RICS point that lands on it is drawn over it, not hidden.
        if (m.Realistic.Consistency1px is { } c0)
        {
            var p = plt.Add.Marker(100 * c0, 100 * m.Accuracy.Value, MarkerShape.FilledSquare, 10, Colors.Black);
            p.LegendText = "baseline (centre crop)";
            xs.Add(100 * c0);
            ys.Add(100 * m.Accuracy.Value);
        }
        int i = 0;
        foreach (var g in m.Rics.GroupBy(SettingLabel).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var rows = g.Where(r => r.Accuracy is not null && r.Consistency1px is not null).OrderBy(r => r.Window).ToList();
            var color = palette.GetColor(i++);
            if (rows.Count == 0) continue;
            var s = plt.Add.ScatterPoints(rows.Select(r => 100 * r.Consistency1px!.Value).ToArray(), rows.Select(r => 100 * r.Accuracy!.Value).ToArray(), color);
            s.MarkerSize = 8;
            s.LegendText = g.Key;
            foreach (var r in rows)
            {
                double x = 100 * r.Consistency1px!.Value, y = 100 * r.Accuracy!.Value;
                xs.Add(x);
                ys.Add(y);
                var t = plt.Add.Text($"n={r.Window}", x, y);
                t.LabelFontSize = 11;
                t.LabelFontColor = color;
                t.LabelAlignment = Alignment.LowerLeft;
                t.LabelOffsetX = 5;
                t.LabelOffsetY = -3;
            }
        }
        // Labels sit right of and above their point: leave a quarter of the span (at least 1 pt) on those sides.
        double spanX = Math.Max(xs.Max() - xs.Min(), 1), spanY = Math.Max(ys.Max() - ys.Min(), 1);
        plt.Axes.SetLimits(xs.Min() - 0.1 * spanX, xs.Max() + 0.25 * spanX, ys.Min() - 0.1 * spanY, ys.Max() + 0.2 * spanY);
        plt.ShowLegend(Edge.Right);
        plt.Title($"{m.Model}: consistency / accuracy trade-off");
        plt.XLabel("consistency_1px (%)");
        plt.YLabel("accuracy (%)");
        return Png(plt, 760, Height);
    }

    /// <summary>A series of RICS rows: the score, and the mode where it is not select ("hash soft4").</summary>
    internal static string SettingLabel(RicsSummary r) => r.Mode == RicsMode.Select.Name ? r.Score : $"{r.Score} {r.Mode}";

    /// <summary>
    /// Representation change against cost (DESIGN §5b): changed_1px (filled) and nn_changed_1px (open, where measured) of
    /// the plain model and of every realistic RICS entry against its forwards per frame, on a log axis, each point labelled
    /// with its mode and window. Null when the model has no RICS entry with a forwards figure.
    /// </summary>
    public static byte[]? RicsRepresentation(ModelSummary m, bool hasFont)
    {
        var rows = m.Rics.Where(r => r.ForwardsPerFrame is > 0 && r.Changed1px.Rate is not null).ToList();
        if (rows.Count == 0 || m.Realistic.Changed1px.Rate is not { } plain) return null;
        var plt = NewPlot(hasFont);
        var palette = new ScottPlot.Palettes.Category10();
        var baseline = plt.Add.Marker(0, 100 * plain, MarkerShape.FilledSquare, 10, Colors.Black);
        baseline.LegendText = "plain model (centre crop, 1 forward)";
        if (m.Realistic.NnChanged1px is { } nn0)
        {
            var p = plt.Add.Marker(0, 100 * nn0, MarkerShape.OpenSquare, 10, Colors.Black);
            p.LegendText = "plain model nn_changed_1px";
        }
        int i = 0;
        foreach (var g in rows.GroupBy(r => r.Mode))
        {
            var color = palette.GetColor(i++);
            var list = g.OrderBy(r => r.ForwardsPerFrame).ToList();
            AddSeries(plt, list.Select(r => (Math.Log10(r.ForwardsPerFrame!.Value), 100 * r.Changed1px.Rate!.Value)), color, LinePattern.Solid, $"{g.Key}: changed_1px");
            AddSeries(plt, list.Where(r => r.NnChanged1px is not null).Select(r => (Math.Log10(r.ForwardsPerFrame!.Value), 100 * r.NnChanged1px!.Value)), color,
                LinePattern.Dotted, $"{g.Key}: nn_changed_1px", MarkerShape.OpenCircle);
            foreach (var r in list)
            {
                var t = plt.Add.Text($"n={r.Window}", Math.Log10(r.ForwardsPerFrame!.Value), 100 * r.Changed1px.Rate!.Value);
                t.LabelFontSize = 11;
                t.LabelFontColor = color;
                t.LabelOffsetX = 5;
            }
        }
        double maxF = rows.Max(r => r.ForwardsPerFrame!.Value);
        var ticks = new[] { 1.0, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024 }.Where(t => t <= Math.Max(2, maxF * 1.5)).ToArray();
        plt.Axes.Bottom.SetTicks(ticks.Select(Math.Log10).ToArray(), ticks.Select(t => t.ToString(CultureInfo.InvariantCulture)).ToArray());
        plt.Axes.SetLimitsX(-0.1, Math.Log10(Math.Max(2, maxF)) + 0.25);
        plt.ShowLegend(Edge.Right);
        plt.Title($"{m.Model}: representation change against forwards per frame");
        plt.XLabel("forwards per frame (log)");
        plt.YLabel("% of images");
        return Png(plt, 860, Height);
    }

    private static void AddSeries(Plot plt, IEnumerable<(double X, double Y)> points, Color color, LinePattern pattern, string legend,
        MarkerShape marker = MarkerShape.FilledCircle)
    {
        var list = points.ToList();
        if (list.Count == 0) return;
        var s = plt.Add.Scatter(list.Select(p => p.X).ToArray(), list.Select(p => p.Y).ToArray(), color);
        s.LinePattern = pattern;
        s.MarkerSize = 7;
        s.MarkerShape = marker;
        s.LegendText = legend;
    }
}
