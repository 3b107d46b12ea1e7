using System.Text.Json.Nodes;

namespace RobustCrop.Cli.Tests.Analysis;

/// <summary>
/// One real run shared by the analysis tests: ResNet18 over 3 sample photos and the first 10 Fashion-MNIST test
/// images (the 10th flips under a one-pixel shift), W1 and hash RICS n = 3, so every report section has data.
/// </summary>
public sealed class AnalysisRunFixture : IAsyncLifetime
{
    public const string RunId = "analysis";
    public const int Images = 13;

    private readonly TempDir _tmp = new();

    public string Out => Path.Combine(_tmp.Path, "out");
    public string RunDir => Path.Combine(Out, RunId);

    /// <summary>The data evaluated, in evaluate's --data syntax, for report --data.</summary>
    public string Data { get; private set; } = "";

    public JsonObject Summary { get; private set; } = new();

    public TempDir Temp => _tmp;

    public async Task InitializeAsync()
    {
        string photos = _tmp.Sub("photos");
        foreach (var name in new[] { "camera.png", "coins.png", "chelsea.png" })
            File.Copy(Path.Combine(CliHarness.PhotosDir, name), Path.Combine(photos, name));
        Data = photos + "," + Path.Combine(AppContext.BaseDirectory, "samples", "fashion-mnist");
        var run = await CliHarness.RunAsync("evaluate", "--data", Data, "--out", Out, "--run-id", RunId, "--model", "resnet18",
            "--window", "1", "--threads", "2", "--rics", "3", "--limit", Images.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (run.ExitCode != 0) throw new InvalidOperationException("evaluate failed: " + run.Err);
        Summary = CliHarness.ReadSummary(RunDir);
    }

    public Task DisposeAsync()
    {
        _tmp.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>A fact that is skipped, with the reason, where /usr/bin/chromium is not installed.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public const string Chromium = "/usr/bin/chromium";

    public ChromiumFactAttribute()
    {
        if (!File.Exists(Chromium)) Skip = $"{Chromium} is not installed (Debian package 'chromium'); the page screenshot check needs a headless browser";
    }
}
