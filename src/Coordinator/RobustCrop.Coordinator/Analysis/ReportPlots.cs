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

    /// <summary>Heatmap over (dx, dy) ∈ W_k; dy grows downwards as in image coordinates, each cell labelled with its percentage.</summary>
    public static byte[] ConsistencyMap(ConsistencyMap map, double tau, bool hasFont)
    {
        int k = map.K, n = 2 * k + 1;
        var data = new double[n, n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) data[i, j] = double.NaN;
        foreach (var c in map.Cells) data[c.Dy + k, c.Dx + k] = c.Agree;
        var plt = NewPlot(hasFont);
        var hm = plt.Add.Heatmap(data);
        hm.Colormap = new ScottPlot.Colormaps.Viridis();
        double min = map.Cells.Count == 0 ? 0 : map.Cells.Min(c => c.Agree);
        // The low end follows the data so small differences near 100% stay visible; it never goes above 90%.
        hm.ManualRange = new ScottPlot.Range(Math.Min(min, 0.9), 1.0);
        hm.Position = new CoordinateRect(-k - 0.5, k + 0.5, -k - 0.5, k + 0.5);
        plt.Add.ColorBar(hm);
        foreach (var c in map.Cells)
        {
            var t = plt.Add.Text((100 * c.Agree).ToString("0.#", CultureInfo.InvariantCulture) + "%", c.Dx, -c.Dy);
            t.LabelAlignment = Alignment.MiddleCenter;
            t.LabelFontSize = n <= 5 ? 16 : 10;
            t.LabelFontColor = c.Agree > (Math.Min(min, 0.9) + 1.0) / 2 ? Colors.Black : Colors.White;
        }
        var ticks = Enumerable.Range(-k, n).ToArray();
        plt.Axes.Bottom.SetTicks(ticks.Select(v => (double)v).ToArray(), ticks.Select(v => v.ToString(CultureInfo.InvariantCulture)).ToArray());
        plt.Axes.Left.SetTicks(ticks.Select(v => (double)-v).ToArray(), ticks.Select(v => v.ToString(CultureInfo.InvariantCulture)).ToArray());
        plt.Axes.SetLimits(-k - 0.5, k + 0.5, -k - 0.5, k + 0.5);
        string what = map.ByCosine ? $"cosine ≥ {tau.ToString("0.###", CultureInfo.InvariantCulture)} to the base" : "same prediction as the base";
        plt.Title($"{map.Model}: {what}, W{k}");
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
    /// RICS per model against the window n: measured consistency_1px per score, the (n−1)/(n+1) axis bound of the hash
    /// score, accuracy per score, and the baseline (standard centre crop) drawn at n = 1.
    /// </summary>
    public static byte[] RicsByWindow(ModelSummary m, bool hasFont)
    {
        var plt = NewPlot(hasFont);
        var palette = new ScottPlot.Palettes.Category10();
        int maxN = m.Rics.Max(r => r.Window);
        var boundX = Enumerable.Range(1, Math.Max(maxN, 3)).Where(n => n % 2 == 1).Select(n => (double)n).ToArray();
        var bound = plt.Add.Scatter(boundX, boundX.Select(n => 100 * RicsScores.AxisBound((int)n)).ToArray(), Colors.Gray);
        bound.LinePattern = LinePattern.Dashed;
        bound.LegendText = "bound (n−1)/(n+1), one axis";
        int i = 0;
        foreach (var g in m.Rics.GroupBy(r => r.Score).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var color = palette.GetColor(i++);
            var rows = g.OrderBy(r => r.Window).ToList();
            AddSeries(plt, rows.Where(r => r.Consistency1px is not null).Select(r => ((double)r.Window, 100 * r.Consistency1px!.Value)), color, LinePattern.Solid, $"{g.Key}: consistency_1px");
            AddSeries(plt, rows.Where(r => r.Accuracy is not null).Select(r => ((double)r.Window, 100 * r.Accuracy!.Value)), color, LinePattern.Dotted, $"{g.Key}: accuracy");
        }
        if (m.Realistic.Consistency1px is { } c0)
        {
            var p = plt.Add.Marker(1, 100 * c0, MarkerShape.FilledSquare, 10, Colors.Black);
            p.LegendText = "baseline consistency (centre crop)";
        }
        if (m.Accuracy is { } a0)
        {
            var p = plt.Add.Marker(1, 100 * a0, MarkerShape.OpenSquare, 10, Colors.Black);
            p.LegendText = "baseline accuracy";
        }
        plt.ShowLegend(Alignment.LowerRight);
        plt.Title($"{m.Model}: RICS against the window n");
        plt.XLabel("window n");
        plt.YLabel("%");
        return Png(plt);
    }

    /// <summary>The consistency / accuracy trade-off: one point per window, the baseline as a square. Only for labelled runs.</summary>
    public static byte[]? RicsTradeOff(ModelSummary m, bool hasFont)
    {
        if (m.Accuracy is null || m.Rics.All(r => r.Accuracy is null || r.Consistency1px is null)) return null;
        var plt = NewPlot(hasFont);
        var palette = new ScottPlot.Palettes.Category10();
        int i = 0;
        foreach (var g in m.Rics.GroupBy(r => r.Score).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var rows = g.Where(r => r.Accuracy is not null && r.Consistency1px is not null).OrderBy(r => r.Window).ToList();
            var color = palette.GetColor(i++);
            AddSeries(plt, rows.Select(r => (100 * r.Consistency1px!.Value, 100 * r.Accuracy!.Value)), color, LinePattern.Solid, g.Key);
            foreach (var r in rows)
            {
                var t = plt.Add.Text($"n={r.Window}", 100 * r.Consistency1px!.Value, 100 * r.Accuracy!.Value);
                t.LabelFontSize = 11;
                t.LabelFontColor = color;
                t.LabelOffsetX = 6;
            }
        }
        if (m.Realistic.Consistency1px is { } c0)
        {
            var p = plt.Add.Marker(100 * c0, 100 * m.Accuracy.Value, MarkerShape.FilledSquare, 10, Colors.Black);
            p.LegendText = "baseline (centre crop)";
        }
        plt.ShowLegend(Alignment.LowerLeft);
        plt.Title($"{m.Model}: consistency / accuracy trade-off");
        plt.XLabel("consistency_1px (%)");
        plt.YLabel("accuracy (%)");
        return Png(plt);
    }

    private static void AddSeries(Plot plt, IEnumerable<(double X, double Y)> points, Color color, LinePattern pattern, string legend)
    {
        var list = points.ToList();
        if (list.Count == 0) return;
        var s = plt.Add.Scatter(list.Select(p => p.X).ToArray(), list.Select(p => p.Y).ToArray(), color);
        s.LinePattern = pattern;
        s.MarkerSize = 7;
        s.LegendText = legend;
    }
}
