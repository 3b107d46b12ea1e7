using System.Diagnostics;
using RobustCrop.Cli.Tests.Analysis;

namespace RobustCrop.Cli.Tests;

/// <summary>Screenshots a local page with headless Chromium (tests marked <see cref="ChromiumFactAttribute"/>).</summary>
internal static class HeadlessChromium
{
    /// <summary>Writes <paramref name="shot"/> (PNG, width × height) of <paramref name="page"/>; fails with Chromium's stderr when it did not.</summary>
    public static async Task ScreenshotAsync(string page, string shot, string profileDir, int width, int height)
    {
        var psi = new ProcessStartInfo(ChromiumFactAttribute.Chromium) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        // No network, no first-run or sync work: the page is self-contained and the test runs offline.
        foreach (var a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", $"--user-data-dir={profileDir}", $"--screenshot={shot}",
                     $"--window-size={width},{height}", new Uri(page).AbsoluteUri })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        _ = p.StandardOutput.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await p.WaitForExitAsync(cts.Token);
        Assert.True(File.Exists(shot), "no screenshot: " + await stderr);
    }
}
