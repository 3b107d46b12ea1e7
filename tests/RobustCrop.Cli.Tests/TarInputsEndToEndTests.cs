namespace RobustCrop.Cli.Tests;

/// <summary>WebDataset tars that are small, forged or described wrongly, end to end: every planned input is an image or an
/// error row, and a run is marked complete only when they add up.</summary>
[Trait("Category", "Slow")]
public class TarInputsEndToEndTests
{
    private static string[] Quick(string data, string @out, string runId, params string[] more)
        => ["evaluate", "--data", data, "--out", @out, "--run-id", runId, "--model", "resnet18", "--window", "1", "--threads", "2", .. more];

    private static byte[] Photo(string name) => File.ReadAllBytes(Path.Combine(CliHarness.PhotosDir, name));

    [Fact]
    public async Task A_limit_spans_a_folder_of_small_tars()
    {
        using var tmp = new TempDir();
        string data = tmp.Sub("tars");
        for (int t = 0; t < 3; t++)
            File.WriteAllBytes(Path.Combine(data, $"{t:D5}.tar"), TarFiles.Of(($"{t}0.png", Photo("coins.png")), ($"{t}1.png", Photo("camera.png"))));
        string @out = tmp.Sub("out");

        // Before: the 3 inputs were planned into shard 00000, which holds 2, and the run was refused at its end.
        var r = await CliHarness.RunAsync(Quick(data, @out, "small", "--limit", "3"));

        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Equal(["tars/00000/00", "tars/00000/01", "tars/00001/10"],
            (await CliHarness.ReadImageRowsAsync(Path.Combine(@out, "small"))).Select(x => x.ImageKey).Distinct().Order(StringComparer.Ordinal));
        Assert.True(File.Exists(Path.Combine(@out, "small", "_SUCCESS")));
    }

    [Fact]
    public async Task A_member_whose_header_claims_60_MB_costs_its_own_sample_only()
    {
        using var tmp = new TempDir();
        string data = tmp.Sub("tars");
        byte[] tar = TarFiles.Of(("a.png", Photo("coins.png")), ("b.png", Photo("camera.png")), ("c.png", Photo("coins.png")));
        File.WriteAllBytes(Path.Combine(data, "00000.tar"), TarFiles.Claiming(tar, "b.png", 60L << 20));
        string @out = tmp.Sub("out"), run = Path.Combine(@out, "liar");

        // Before: b's claim swallowed c (1 image + 1 error for 3 inputs) and _SUCCESS was written all the same.
        var r = await CliHarness.RunAsync(Quick(data, @out, "liar"));

        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Equal(["tars/00000/a", "tars/00000/c"], (await CliHarness.ReadImageRowsAsync(run)).Select(x => x.ImageKey).Distinct().Order(StringComparer.Ordinal));
        var error = Assert.Single(await CliHarness.ReadErrorRowsAsync(run));
        Assert.Equal("tars/00000/b", error.ImageKey);
        Assert.True(File.Exists(Path.Combine(run, "_SUCCESS")));
    }

    [Fact]
    public async Task A_tar_that_holds_fewer_samples_than_planned_is_never_marked_complete()
    {
        using var tmp = new TempDir();
        string data = tmp.Sub("tars");
        File.WriteAllBytes(Path.Combine(data, "00000.tar"), TarFiles.Of(("a.png", Photo("coins.png")), ("b.png", Photo("camera.png"))));
        // img2dataset's stats file plans the tar without reading it; here it overstates what the tar holds.
        File.WriteAllText(Path.Combine(data, "00000_stats.json"), """{"successes": 5}""");
        string @out = tmp.Sub("out"), run = Path.Combine(@out, "short");

        var r = await CliHarness.RunAsync(Quick(data, @out, "short"));

        Assert.Equal(1, r.ExitCode);
        Assert.Contains("robustcrop: refusing to mark run short complete: shard 00000 planned 5 inputs, its manifest accounts for 2 (2 images + 0 errors)", r.ErrLines);
        Assert.False(File.Exists(Path.Combine(run, "_SUCCESS")));
    }
}
