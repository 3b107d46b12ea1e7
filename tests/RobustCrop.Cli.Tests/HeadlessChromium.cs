using System.Diagnostics;
using RobustCrop.Cli.Tests.Analysis;

namespace RobustCrop.Cli.Tests;

/// <summary>Screenshots a local page with headless Chromium (tests marked <see cref="ChromiumFactAttribute"/>).</summary>
internal static class HeadlessChromium
{
    /// <summary>Writes <paramref name="shot"/> (PNG, width × height) of <paramref name="page"/>; fails with Chromium's stderr when it did not.</summary>
    public static async Task ScreenshotAsync(string page, string shot, string profileDir, int width, int height)
    {
        var (_, stderr) = await RunAsync(profileDir, $"--screenshot={shot}", $"--window-size={width},{height}", new Uri(page).AbsoluteUri);
        Assert.True(File.Exists(shot), "no screenshot: " + stderr);
    }

    /// <summary>
    /// Lays <paramref name="page"/> out at <paramref name="width"/> px, runs <paramref name="script"/> (an expression giving
    /// a JSON-serialisable value) once the page and its images have loaded, and returns that value as JSON text. The page
    /// itself stays script-free: the script goes into a copy beside it, and Chromium's --dump-dom hands back the DOM
    /// the script wrote its answer into.
    /// </summary>
    public static async Task<string> MeasureAsync(string page, string script, string profileDir, int width, int height)
    {
        string copy = Path.Combine(Path.GetDirectoryName(page)!, "measure-" + Guid.NewGuid().ToString("N")[..8] + ".html");
        string probe = "<script>window.addEventListener('load',()=>{const p=document.createElement('pre');p.id='robustcrop-measure';" +
                       "p.textContent=JSON.stringify(" + script + ");document.body.appendChild(p);});</script>";
        await File.WriteAllTextAsync(copy, (await File.ReadAllTextAsync(page)).Replace("</body>", probe + "</body>", StringComparison.Ordinal));
        try
        {
            var (dom, stderr) = await RunAsync(profileDir, "--dump-dom", "--virtual-time-budget=10000", $"--window-size={width},{height}",
                new Uri(copy).AbsoluteUri);
            var m = System.Text.RegularExpressions.Regex.Match(dom, "<pre id=\"robustcrop-measure\">([^<]*)</pre>");
            Assert.True(m.Success, "the measuring script wrote nothing: " + stderr);
            return System.Net.WebUtility.HtmlDecode(m.Groups[1].Value);
        }
        finally
        {
            File.Delete(copy);
        }
    }

    private static async Task<(string Stdout, string Stderr)> RunAsync(string profileDir, params string[] args)
    {
        var psi = new ProcessStartInfo(ChromiumFactAttribute.Chromium) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        // No network, no first-run or sync work: the page is self-contained and the test runs offline.
        foreach (var a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", $"--user-data-dir={profileDir}" }.Concat(args))
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await p.WaitForExitAsync(cts.Token);
        return (await stdout, await stderr);
    }
}
