using RobustCrop.Cli.Tests.Analysis;
using RobustCrop.Coordinator.Cluster;
using RobustCrop.Coordinator.Scheduling;
using RobustCrop.Coordinator.Observability;
using SkiaSharp;

namespace RobustCrop.Cli.Tests.Cluster;

/// <summary>The coordinator's /status page in a real headless browser: it renders, with a progress bar and tables.</summary>
[Trait("Category", "Slow")]
public sealed class StatusPageScreenshotTests : IDisposable
{
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    [ChromiumFact]
    public async Task The_status_page_renders_in_headless_chromium()
    {
        var model = new StatusModel("night-1", "laion-subset", null,
            [new WorkerRate("gpu-a-17-3f2a1b", 40, 2, 10_240, 358_400, 51.25), new WorkerRate("gpu-b-9-77aa00", 38, 1, 9_728, 340_480, 48.75)],
            400, 78, 3, 319, 102_400, 19_968, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch,
            ["01:05:00 requeued shard=00017 lease=40 worker=gpu-c reason=worker-removed"]) { ImagesPerSecond = 100 };
        string page = Path.Combine(_tmp.Path, "status.html");
        await File.WriteAllTextAsync(page, StatusPage.Render(model));
        string shot = Path.Combine(_tmp.Path, "status.png");
        await HeadlessChromium.ScreenshotAsync(page, shot, _tmp.Sub("profile"), 1200, 800);

        using var bitmap = SKBitmap.Decode(shot);
        Assert.Equal((1200, 800), (bitmap.Width, bitmap.Height));
        // The progress bar: its filled part is the page's blue, its rest the track's grey, on one row near the top.
        int blue = 0, grey = 0;
        for (int y = 0; y < 200; y++)
        for (int x = 0; x < bitmap.Width; x++)
        {
            var c = bitmap.GetPixel(x, y);
            if (Near(c, 0x2f, 0x7d, 0xe1)) blue++;
            else if (Near(c, 0xdf, 0xe3, 0xea)) grey++;
        }
        Assert.True(blue > 1000, $"{blue} progress-bar pixels");
        // 78 of 400 shards: the filled part is about a fifth of the bar.
        Assert.InRange(blue / (double)(blue + grey), 0.12, 0.3);
    }

    private static bool Near(SKColor c, int r, int g, int b) => Math.Abs(c.Red - r) < 8 && Math.Abs(c.Green - g) < 8 && Math.Abs(c.Blue - b) < 8;
}
