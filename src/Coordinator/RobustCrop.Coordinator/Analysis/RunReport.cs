using RobustCrop.IO.Storage;

namespace RobustCrop.Coordinator.Analysis;

/// <summary>What a report wrote: paths relative to the target store.</summary>
public sealed record ReportResult(string HtmlPath, IReadOnlyList<string> PngPaths, long FlippedImages, int FlipImagesDrawn, bool PlotText,
    int MovedImagesDrawn = 0);

/// <summary>Builds the report of a finished run and writes it through an <see cref="IResultStore"/>, so the same code
/// writes into a local run, a blob run's report/ folder, or any folder given with --to.</summary>
public static class RunReport
{
    public const string HtmlName = "index.html";

    /// <param name="prefix">Folder inside <paramref name="target"/> ("&lt;run-id&gt;/report/" or "" for --to DIR).</param>
    /// <param name="dataSpec">The evaluated data (evaluate's --data syntax), to draw flipped crops; null lists them only.</param>
    public static async Task<ReportResult> WriteAsync(RunLocation run, string runFolder, IResultStore target, string prefix,
        string? dataSpec, CancellationToken ct)
    {
        var summary = await run.ReadSummaryAsync(ct);
        var data = await ReportData.LoadAsync(runFolder, summary, ct);
        using var typeface = ReportFonts.Register();
        bool text = typeface is not null;

        // One colour scale for every map, so one colour means one share everywhere on the page.
        double low = ConsistencyMap.SharedLow(data.Maps);
        var maps = data.Maps.Select(m => new ReportImage(MapFileName(m), $"{m.Model} on {m.Dataset}: {m.Measure(data.Tau)} over W{m.K}",
            ReportPlots.ConsistencyMap(m, data.Tau, low, text))).ToList();
        ReportImage? cosine = data.Cosine1pxMin.Count == 0 ? null
            : new ReportImage("cosine-1px-min.png", "cosine_1px_min per model", ReportPlots.CosineHistogram(data.Cosine1pxMin, data.Tau, text));
        var rics = new List<ReportImage>();
        foreach (var m in summary.Models.Where(m => m.Rics.Count > 0))
        {
            // A composite run has a summary per model × source dataset: the file names carry the dataset too.
            string name = m.Dataset is { } d && d != summary.Dataset ? $"{m.Model}-{d}" : m.Model;
            string label = ReportHtml.Label(summary, m);
            rics.Add(new ReportImage($"rics-window-{name}.png", $"{label}: RICS against the window n", ReportPlots.RicsByWindow(m, text)));
            if (ReportPlots.RicsTradeOff(m, text) is { } png)
                rics.Add(new ReportImage($"rics-tradeoff-{name}.png", $"{label}: consistency / accuracy trade-off", png));
            if (ReportPlots.RicsRepresentation(m, text) is { } rep)
                rics.Add(new ReportImage($"rics-representation-{name}.png", $"{label}: changed_1px and nn_changed_1px against forwards per frame", rep));
            // One histogram per model: the plain model's cosine_1px_min beside each RICS mode's (DESIGN §5b).
            if (m.Rics.Any(r => r.Mode != "select") && data.RicsCosine1pxMin.TryGetValue(m.Model, out var modes)
                && data.Cosine1pxMin.TryGetValue(m.Model, out var plain))
                rics.Add(new ReportImage($"rics-cosine-{name}.png", $"{label}: cosine_1px_min, plain model and each RICS mode",
                    ReportPlots.CosineHistogram(new Dictionary<string, double[]>(modes, StringComparer.Ordinal) { ["plain (centre crop)"] = plain }, data.Tau, text)));
        }
        var flips = new List<ReportImage>();
        var movers = new List<ReportImage>();
        if (dataSpec is not null)
        {
            // One pass over the data for both: flips have a class answer, movers none, so no (model, key) is in both.
            var drawn = FlipImages.Render(dataSpec, [.. data.Flips, .. data.Movers], data.Preprocessing, typeface, ct);
            int i = 0;
            foreach (var f in data.Flips)
                if (drawn.TryGetValue((f.Model, f.ImageKey), out var png))
                    flips.Add(new ReportImage($"flip-{f.Model}-{++i:D2}.png", $"{f.Model}: {f.ImageKey}", png));
            i = 0;
            foreach (var f in data.Movers)
                if (drawn.TryGetValue((f.Model, f.ImageKey), out var png))
                    movers.Add(new ReportImage($"moved-{f.Model}-{++i:D2}.png", $"{f.Model}: {f.ImageKey}", png));
        }

        var images = maps.Concat(cosine is null ? [] : [cosine]).Concat(rics).Concat(movers).Concat(flips).ToList();
        var written = new List<string>();
        foreach (var img in images)
        {
            string path = prefix + img.FileName;
            await target.WriteAsync(path, s => s.WriteAsync(img.Png, ct).AsTask(), ct);
            written.Add(path);
        }
        string html = ReportHtml.Build(data, maps, cosine, rics, movers, flips, dataSpec is not null);
        string htmlPath = prefix + HtmlName;
        await target.WriteTextAsync(htmlPath, html, ct);
        return new ReportResult(htmlPath, written, data.FlippedImages, flips.Count, text, movers.Count);
    }

    /// <summary>"consistency-&lt;model&gt;-&lt;dataset&gt;.png"; a class map and a cosine map of one pair (a head that answers
    /// for part of a dataset only) are told apart by a "-cosine" suffix on the latter.</summary>
    internal static string MapFileName(ConsistencyMap m) => $"consistency-{m.Model}-{m.Dataset}{(m.ByCosine ? "-cosine" : "")}.png";
}
