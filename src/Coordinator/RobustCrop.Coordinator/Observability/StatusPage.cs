using System.Globalization;
using System.Net;
using System.Text;

namespace RobustCrop.Coordinator.Observability;

/// <summary>
/// The coordinator's <c>/status</c> page: one self-contained HTML document (no script, no external file) that refreshes
/// itself every few seconds: progress, ETA, per-worker throughput, the latest re-queues and errors.
/// </summary>
public static class StatusPage
{
    public const int RefreshSeconds = 3;

    public static string Render(StatusModel s)
    {
        var c = CultureInfo.InvariantCulture;
        double fraction = s.Fraction;
        var html = new StringBuilder();
        html.Append(c, $"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="{RefreshSeconds}">
            <title>RobustCrop {E(s.RunId)}: {fraction:P0}</title>
            <style>
            body {"{"} font: 15px system-ui, sans-serif; margin: 2em; color: #1d2330; background: #f7f8fa; {"}"}
            h1 {"{"} font-size: 1.4em; margin: 0 0 .2em; {"}"} .sub {"{"} color: #5b6475; margin-bottom: 1.2em; {"}"}
            .bar {"{"} height: 22px; background: #dfe3ea; border-radius: 4px; overflow: hidden; width: 100%; max-width: 900px; {"}"}
            .bar div {"{"} height: 100%; background: #2f7de1; {"}"}
            .figures {"{"} display: flex; gap: 2.5em; margin: 1.2em 0; flex-wrap: wrap; {"}"}
            .figures b {"{"} display: block; font-size: 1.6em; {"}"}
            table {"{"} border-collapse: collapse; background: white; min-width: 600px; {"}"}
            th, td {"{"} padding: .35em .9em; border-bottom: 1px solid #e3e6eb; text-align: right; {"}"} th:first-child, td:first-child {"{"} text-align: left; {"}"}
            th {"{"} background: #eef1f5; {"}"} pre {"{"} background: white; padding: .8em; border: 1px solid #e3e6eb; max-width: 1100px; white-space: pre-wrap; {"}"}
            </style></head><body>
            <h1>Run {E(s.RunId)} <span class="sub">{E(s.Dataset)}</span></h1>
            <div class="sub">{(s.Outcome is null ? "running" : E(s.Outcome))} · started {s.StartedUtc:yyyy-MM-dd HH:mm:ss} UTC · figures of {s.AtUtc:HH:mm:ss} UTC · refreshes every {RefreshSeconds} s</div>
            <div class="bar"><div style="width:{fraction * 100:F1}%"></div></div>
            <div class="figures">
            <div><b>{s.ShardsDone} / {s.ShardsTotal}</b>shards done</div>
            <div><b>{s.InputsSoFar} / {s.TotalInputs}</b>inputs</div>
            <div><b>{s.ImagesPerSecond:F1}</b>images / s</div>
            <div><b>{(s.Eta is { } eta ? FormatEta(eta) : "–")}</b>ETA</div>
            <div><b>{s.Leased}</b>leased</div>
            <div><b>{s.Queued}</b>queued</div>
            </div>
            <h2>Workers ({s.Workers.Length})</h2>
            <table><tr><th>worker</th><th>shards done</th><th>leased</th><th>images</th><th>crops</th><th>images / s</th></tr>
            """);
        foreach (var w in s.Workers)
            html.Append(c, $"<tr><td>{E(w.Worker)}</td><td>{w.ShardsDone}</td><td>{w.Leased}</td><td>{w.Images}</td><td>{w.Crops}</td><td>{w.ImagesPerSecond:F1}</td></tr>\n");
        html.Append("</table>\n<h2>Latest re-queues and errors</h2>\n<pre>");
        html.Append(s.Latest.IsDefaultOrEmpty ? "none" : E(string.Join("\n", s.Latest)));
        html.Append("</pre>\n</body></html>\n");
        return html.ToString();
    }

    private static string FormatEta(TimeSpan t) => t.TotalHours >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours} h {t.Minutes:D2} min")
        : string.Create(CultureInfo.InvariantCulture, $"{t.Minutes} min {t.Seconds:D2} s");

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
