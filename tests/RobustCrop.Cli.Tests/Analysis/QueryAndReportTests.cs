using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using RobustCrop.Coordinator.Analysis;
using RobustCrop.IO.Storage;
using SkiaSharp;

namespace RobustCrop.Cli.Tests.Analysis;

[Trait("Category", "Slow")]
public class QueryAndReportTests(AnalysisRunFixture run) : IClassFixture<AnalysisRunFixture>
{
    // summary.json has an entry per model × source dataset: the image rows are images × distinct models.
    private long ExpectedImageRows => (long)run.Summary["images"]! * run.Summary["models"]!.AsArray().Select(m => (string)m!["model"]!).Distinct().Count();

    private async Task<string> QueryCsvAsync(string runUri, string sql)
    {
        var r = await CliHarness.RunAsync("query", "--run", runUri, "--format", "csv", sql);
        Assert.True(r.ExitCode == 0, r.Err);
        return r.Out;
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();

    [Fact]
    public async Task Query_counts_every_image_of_every_model()
    {
        Assert.Equal(AnalysisRunFixture.Images, (long)run.Summary["images"]!);

        var csv = Lines(await QueryCsvAsync(run.RunDir, "SELECT count(*) AS n FROM images"));
        Assert.Equal(["n", ExpectedImageRows.ToString(CultureInfo.InvariantCulture)], csv);

        var table = await CliHarness.RunAsync("query", "--run", run.RunDir, "SELECT count(*) AS n FROM images");
        Assert.True(table.ExitCode == 0, table.Err);
        Assert.Matches(new Regex($@"│\s+{ExpectedImageRows}\s+│"), table.Out);
        Assert.Contains("1 row", table.Out);
    }

    [Fact]
    public async Task The_fashion_mnist_head_answers_for_fashion_mnist_only_the_photos_get_representation_metrics()
    {
        // Per dataset: rows, rows with a class answer, rows with a fooled_1px verdict, rows with a cosine.
        var csv = Lines(await QueryCsvAsync(run.RunDir,
            "SELECT split_part(image_key, '/', 1) AS dataset, count(*) AS n, count(prediction) AS answered, count(fooled_1px) AS judged, " +
            "count(cosine_1px_min) AS cosines FROM images GROUP BY 1 ORDER BY 1"));
        Assert.Equal(["dataset,n,answered,judged,cosines", "fashion-mnist,10,10,10,10", "photos,3,0,0,3"], csv);
    }

    [Fact]
    public async Task Selection_kept_axis_1px_is_a_share_of_the_four_axis_frames_bounds_the_agreeing_frames_and_is_summarised()
    {
        // Per realistic rics row: selection_kept_axis_1px is k/4 (every frame fits these scenes), and a kept frame is the base's very
        // crop, so its answer agrees: at least 4·kept of the 8 one-pixel frames agree with the base.
        var rows = Lines(await QueryCsvAsync(run.RunDir,
            "SELECT selection_kept_axis_1px, shifts_1px, consistency_1px FROM rics WHERE score = 'hash' AND \"window\" = 3 ORDER BY image_key")).Skip(1).ToArray();
        Assert.Equal(AnalysisRunFixture.Images, rows.Length);
        double sum = 0;
        foreach (var row in rows)
        {
            var f = row.Split(',');
            double kept = double.Parse(f[0], CultureInfo.InvariantCulture);
            Assert.Equal(0, (kept * 4) % 1, 9);
            Assert.Equal("8", f[1]);
            if (f[2].Length > 0) Assert.True(double.Parse(f[2], CultureInfo.InvariantCulture) * 8 >= kept * 4 - 1e-9, row);
            sum += kept;
        }
        // Not every frame keeps the crop, and some do: the column is measured, not a constant.
        Assert.InRange(sum / rows.Length, 0.01, 0.99);
        foreach (var m in run.Summary["models"]!.AsArray())
        {
            var r = m!["rics"]!.AsArray().Single(x => (string)x!["score"]! == "hash" && (int)x["window"]! == 3)!;
            Assert.NotNull(r["selection_kept_axis_1px"]);
        }
    }

    [Fact]
    public async Task Query_json_is_an_array_of_row_objects_with_typed_values()
    {
        var r = await CliHarness.RunAsync("query", "--run", run.RunDir, "--format", "json",
            "SELECT count(*) AS n, NULL AS nothing, [1, 2] AS list, 'x' AS s FROM images");
        Assert.True(r.ExitCode == 0, r.Err);
        var rows = JsonNode.Parse(r.Out)!.AsArray();
        var row = Assert.Single(rows)!.AsObject();
        Assert.Equal(System.Text.Json.JsonValueKind.Number, row["n"]!.GetValueKind());
        Assert.Equal(ExpectedImageRows, (long)row["n"]!);
        Assert.True(row.ContainsKey("nothing"));
        Assert.Null(row["nothing"]);
        Assert.Equal([1, 2], row["list"]!.AsArray().Select(v => (int)v!));
        Assert.Equal("x", (string)row["s"]!);
    }

    [Fact]
    public async Task Query_model_column_comes_from_the_hive_partition_folder()
    {
        // A copy of the run whose partition folder names another model: only a reader that honours model=<m>/ sees it.
        string copy = Path.Combine(run.Temp.Path, "hive-copy", AnalysisRunFixture.RunId);
        CopyDirectory(run.RunDir, copy);
        Directory.Move(Path.Combine(copy, "images", "model=resnet18"), Path.Combine(copy, "images", "model=renamed"));

        Assert.Equal(["model", "resnet18"], Lines(await QueryCsvAsync(run.RunDir, "SELECT DISTINCT model FROM crops")));
        Assert.Equal(["model", "renamed"], Lines(await QueryCsvAsync(copy, "SELECT DISTINCT model FROM images")));
        var views = Lines(await QueryCsvAsync(run.RunDir, "SELECT count(*) FROM rics WHERE model = 'resnet18'"));
        Assert.True(long.Parse(views[1], CultureInfo.InvariantCulture) > 0);
    }

    [Fact]
    public async Task Query_bad_sql_is_one_line_and_exit_code1()
    {
        var r = await CliHarness.RunAsync("query", "--run", run.RunDir, "SELEC count(*) FROM images");
        Assert.Equal(1, r.ExitCode);
        var line = Assert.Single(r.ErrLines);
        Assert.StartsWith("robustcrop: query failed: ", line);

        var unknown = await CliHarness.RunAsync("query", "--run", run.RunDir, "SELECT no_such_column FROM images");
        Assert.Equal(1, unknown.ExitCode);
        Assert.StartsWith("robustcrop: query failed: ", Assert.Single(unknown.ErrLines));
        Assert.Contains("no_such_column", unknown.Err);
    }

    [Fact]
    public async Task Query_through_a_non_local_store_fetches_the_run_into_the_cache()
    {
        var store = new ForwardingStore(new LocalFolderStore(run.Out));
        var location = RunLocation.In(store, AnalysisRunFixture.RunId);
        string cache = run.Temp.Sub("cache");

        string folder = await location.LocalFolderAsync(cache, CancellationToken.None);

        Assert.StartsWith(cache, folder);
        using var db = RunDatabase.Open(folder);
        var n = db.Query("SELECT count(*) FROM images").Rows.Single()[0];
        Assert.Equal(ExpectedImageRows, Convert.ToInt64(n, CultureInfo.InvariantCulture));
        Assert.Contains("summary", db.Views);
        Assert.True(store.Reads > 0);
    }

    [Fact]
    public async Task Report_writes_plots_and_one_self_contained_page()
    {
        string to = Path.Combine(run.Temp.Path, "report-" + Guid.NewGuid().ToString("N")[..8]);
        var r = await CliHarness.RunAsync("report", "--run", run.RunDir, "--to", to, "--data", run.Data);
        Assert.True(r.ExitCode == 0, r.Err);

        var pngs = Directory.GetFiles(to, "*.png").Select(Path.GetFileName).ToHashSet();
        // One consistency map per model × dataset: by class on Fashion-MNIST, by cosine on the photos (no head there).
        Assert.Contains("consistency-resnet18-fashion-mnist.png", pngs);
        Assert.Contains("consistency-resnet18-photos-cosine.png", pngs);
        Assert.Equal(2, pngs.Count(p => p!.StartsWith("consistency-", StringComparison.Ordinal)));
        Assert.Contains("cosine-1px-min.png", pngs);
        // A composite run (photos + Fashion-MNIST) has its RICS plots per model × source dataset; the consistency /
        // accuracy trade-off only where that dataset is labelled (the digits, not the photos).
        foreach (var m in run.Summary["models"]!.AsArray())
        {
            string dataset = (string)m!["dataset"]!;
            Assert.Contains($"rics-window-resnet18-{dataset}.png", pngs);
            if (m["accuracy"] is null) Assert.DoesNotContain($"rics-tradeoff-resnet18-{dataset}.png", pngs);
            else Assert.Contains($"rics-tradeoff-resnet18-{dataset}.png", pngs);
        }
        Assert.Contains(pngs, p => p!.StartsWith("rics-tradeoff-resnet18-", StringComparison.Ordinal));
        foreach (var png in pngs)
        {
            using var bitmap = SKBitmap.Decode(Path.Combine(to, png!));
            Assert.NotNull(bitmap);
            Assert.True(bitmap.Width >= 200 && bitmap.Height >= 200, $"{png}: {bitmap.Width}x{bitmap.Height}");
            Assert.True(DistinctColours(bitmap) > 4, $"{png} is nearly blank");
        }

        // Every image flipped by a one-pixel shift is drawn: all of them are in the data given.
        var fooled = Lines(await QueryCsvAsync(run.RunDir, "SELECT image_key FROM images WHERE fooled_1px ORDER BY image_key")).Skip(1).ToArray();
        Assert.NotEmpty(fooled);
        Assert.Equal(Math.Min(fooled.Length, ReportData.MaxFlipsPerModel), pngs.Count(p => p!.StartsWith("flip-", StringComparison.Ordinal)));

        string html = await File.ReadAllTextAsync(Path.Combine(to, RunReport.HtmlName));
        AssertSelfContained(html);
        // Cyclic RICS: its realistic fooling in the row of each model × dataset, beside its cyclic 100%, and the study's 11%.
        Assert.Contains("Cyclic RICS: cyclic shifts against realistic ones", html);
        Assert.Contains("fooled by a realistic one-pixel shift 11.0% of the time", html);
        foreach (var m in run.Summary["models"]!.AsArray())
        {
            string label = (string)m!["dataset"]! == (string)run.Summary["dataset"]! ? (string)m["model"]! : $"{m["model"]} ({m["dataset"]})";
            var cells = Regex.Match(html, $@"<tr><td class=""t"">{Regex.Escape(label)}</td><td>[0-9,]+</td><td>([0-9.]+%|—)</td><td>(?:[0-9.]+%|—)</td><td>(?:[0-9.]+%|—)</td><td>([0-9.]+%|—)</td>");
            Assert.True(cells.Success, $"no cyclic RICS row for {label}");
            // 100% under cyclic shifts wherever the model answers with a class (the photos have no head: no class figure).
            Assert.Equal(m["rics_cyclic"]!["consistency_1px"] is null ? "—" : "100.0%", cells.Groups[1].Value);
            var realisticFooled = m["rics_cyclic"]!["realistic"]!["fooled_1px"];
            Assert.Equal(realisticFooled is null ? "—" : (100 * (double)realisticFooled).ToString("0.0", CultureInfo.InvariantCulture) + "%",
                cells.Groups[2].Value);
        }
        // The page embeds exactly the PNGs written beside it.
        var embedded = Regex.Matches(html, "src=\"data:image/png;base64,([^\"]+)\"").Select(m => Convert.FromBase64String(m.Groups[1].Value)).ToList();
        Assert.Equal(pngs.Count, embedded.Count);
        var files = pngs.Select(p => File.ReadAllBytes(Path.Combine(to, p!))).ToList();
        Assert.All(embedded, e => Assert.Contains(files, f => f.AsSpan().SequenceEqual(e)));
        Assert.All(fooled, key => Assert.Contains(key, html));

        // The photos have no class answer (the head applies to Fashion-MNIST): each is drawn as a representation change,
        // its worst one-pixel shift at exactly the image's cosine_1px_min, lowest first.
        var photos = Lines(await QueryCsvAsync(run.RunDir,
            "SELECT image_key, printf('%.4f', cosine_1px_min) FROM images WHERE prediction IS NULL ORDER BY cosine_1px_min, image_key")).Skip(1).ToArray();
        Assert.Equal(3, photos.Length);
        Assert.Equal(photos.Length, pngs.Count(p => p!.StartsWith("moved-resnet18-", StringComparison.Ordinal)));
        Assert.Contains("Images whose representation moves most under a one-pixel shift", html);
        var rows = Regex.Matches(html, @"<tr><td class=""t"">resnet18</td><td class=""t"">([^<]+)</td><td>\((-?\d), (-?\d)\)</td><td>([0-9.]+)</td></tr>")
            .Select(m => $"{m.Groups[1].Value},{m.Groups[4].Value}").ToArray();
        Assert.Equal(photos, rows);
    }

    [Fact]
    public async Task Report_without_to_goes_into_the_runs_report_folder_and_lists_flipped_keys()
    {
        var r = await CliHarness.RunAsync("report", "--run", run.RunDir);
        Assert.True(r.ExitCode == 0, r.Err);
        string dir = Path.Combine(run.RunDir, "report");
        string html = await File.ReadAllTextAsync(Path.Combine(dir, RunReport.HtmlName));
        AssertSelfContained(html);
        Assert.Contains("robustcrop report --data PATHS", html);
        Assert.Empty(Directory.GetFiles(dir, "flip-*.png"));
        foreach (var key in Lines(await QueryCsvAsync(run.RunDir, "SELECT image_key FROM images WHERE fooled_1px")).Skip(1))
            Assert.Contains(key, html);
    }

    [ChromiumFact]
    public async Task Report_RendersInAHeadlessBrowser()
    {
        string to = Path.Combine(run.Temp.Path, "shot-" + Guid.NewGuid().ToString("N")[..8]);
        var r = await CliHarness.RunAsync("report", "--run", run.RunDir, "--to", to, "--data", run.Data);
        Assert.True(r.ExitCode == 0, r.Err);
        string shot = Path.Combine(to, "screenshot.png");
        await HeadlessChromium.ScreenshotAsync(Path.Combine(to, RunReport.HtmlName), shot,
            run.Temp.Sub("chromium-profile-" + Guid.NewGuid().ToString("N")[..8]), 1280, 2000);

        Assert.True(new FileInfo(shot).Length > 20_000, $"screenshot of {new FileInfo(shot).Length} bytes");
        using var bitmap = SKBitmap.Decode(shot);
        Assert.Equal((1280, 2000), (bitmap.Width, bitmap.Height));
        Assert.True(DistinctColours(bitmap) > 50, "the screenshot is (nearly) one colour");

        // Layout at 1400 px: nothing scrolls sideways (neither the page nor a table inside its own scroll box), one heat
        // map per model × dataset, and every image decodes.
        const string script = """
            ({width: window.innerWidth, scrollWidth: document.documentElement.scrollWidth,
              overflowing: [...document.querySelectorAll('.scroll, table, figure')].filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.tagName + ':' + e.scrollWidth + '>' + e.clientWidth),
              heatMaps: [...document.querySelectorAll('figcaption')].filter(c => c.textContent.includes('(consistency-')).length,
              images: document.images.length,
              loaded: [...document.images].filter(i => i.complete && i.naturalWidth > 0).length})
            """;
        var m = JsonNode.Parse(await HeadlessChromium.MeasureAsync(Path.Combine(to, RunReport.HtmlName), script,
            run.Temp.Sub("chromium-profile-" + Guid.NewGuid().ToString("N")[..8]), 1400, 3000))!;
        Assert.Equal(1400, (int)m["width"]!);
        Assert.True((int)m["scrollWidth"]! <= 1400, $"the page scrolls sideways at 1400 px: scrollWidth {m["scrollWidth"]}");
        Assert.Empty(m["overflowing"]!.AsArray().Select(e => (string)e!));
        int pairs = run.Summary["models"]!.AsArray().Select(e => ((string)e!["model"]!, (string?)e["dataset"])).Distinct().Count();
        Assert.Equal(2, pairs); // resnet18 on the photos and on Fashion-MNIST
        Assert.Equal(pairs, (int)m["heatMaps"]!);
        Assert.Equal(Directory.GetFiles(to, "*.png").Length - 1, (int)m["images"]!); // all but the screenshot
        Assert.Equal((int)m["images"]!, (int)m["loaded"]!);
    }

    private static void AssertSelfContained(string html)
    {
        Assert.StartsWith("<!DOCTYPE html>", html);
        var refs = Regex.Matches(html, @"\b(?:src|href)\s*=\s*[""']([^""']*)[""']", RegexOptions.IgnoreCase).Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(refs);
        Assert.All(refs, v => Assert.StartsWith("data:", v));
        Assert.DoesNotContain("http://", html);
        Assert.DoesNotContain("https://", html);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("url(", html, StringComparison.OrdinalIgnoreCase);
    }

    private static int DistinctColours(SKBitmap bitmap)
    {
        var seen = new HashSet<uint>();
        for (int y = 0; y < bitmap.Height; y += 3)
        for (int x = 0; x < bitmap.Width; x += 3)
        {
            seen.Add((uint)bitmap.GetPixel(x, y));
            if (seen.Count > 1000) return seen.Count;
        }
        return seen.Count;
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    /// <summary>A store that is not a <see cref="LocalFolderStore"/>, as a blob store is not: reads go through the interface.</summary>
    private sealed class ForwardingStore(LocalFolderStore inner) : IResultStore
    {
        private int _reads;

        public int Reads => _reads;

        public Task WriteAsync(string relativePath, Func<Stream, Task> writer, CancellationToken cancellationToken = default) => inner.WriteAsync(relativePath, writer, cancellationToken);
        public Task<bool> CreateAsync(string relativePath, Func<Stream, Task> writer, CancellationToken cancellationToken = default) => inner.CreateAsync(relativePath, writer, cancellationToken);
        public Task<bool> ExistsAsync(string relativePath, CancellationToken cancellationToken = default) => inner.ExistsAsync(relativePath, cancellationToken);
        public Task<Stream> OpenReadAsync(string relativePath, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _reads);
            return inner.OpenReadAsync(relativePath, cancellationToken);
        }
        public IAsyncEnumerable<string> ListAsync(string prefix, CancellationToken cancellationToken = default) => inner.ListAsync(prefix, cancellationToken);
        public Task DeleteAsync(string relativePath, CancellationToken cancellationToken = default) => inner.DeleteAsync(relativePath, cancellationToken);
        public string Describe() => "forwarding " + inner.Describe();
    }
}
