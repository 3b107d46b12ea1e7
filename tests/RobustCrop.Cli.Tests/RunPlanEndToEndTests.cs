namespace RobustCrop.Cli.Tests;

/// <summary>A run is what it says it is, end to end through the commands: a resume with another plan is refused, an
/// unfinished run is never aggregated as finished, and only shards with a manifest count.</summary>
[Trait("Category", "Slow")]
public class RunPlanEndToEndTests
{
    private static string[] Quick(string data, string @out, string runId, params string[] more)
        => ["evaluate", "--data", data, "--out", @out, "--run-id", runId, "--model", "resnet18", "--window", "1", "--threads", "2", .. more];

    [Fact]
    public async Task A_resume_with_another_plan_stops_and_an_unfinished_run_says_how_far_it_got()
    {
        using var tmp = new TempDir();
        string data = tmp.Sub("photos");
        foreach (var name in new[] { "camera.png", "coins.png", "chelsea.png" })
            File.Copy(Path.Combine(CliHarness.PhotosDir, name), Path.Combine(data, name));
        string @out = tmp.Sub("out"), runDir = Path.Combine(@out, "plan");

        var first = await CliHarness.RunAsync(Quick(data, @out, "plan", "--limit", "2", "--shard-size", "1"));
        Assert.True(first.ExitCode == 0, first.Err);
        Assert.True(File.Exists(Path.Combine(runDir, "_plan.json")));

        // --limit 5 then --limit 0 gave 5 of 12 images before: now the resume stops, naming what differs.
        var other = await CliHarness.RunAsync(Quick(data, @out, "plan", "--limit", "0", "--shard-size", "1"));
        Assert.Equal(1, other.ExitCode);
        string line = Assert.Single(other.ErrLines);
        Assert.StartsWith("robustcrop: run 'plan' was started with another plan (", line);
        Assert.Contains("--limit 2 → 0", line);
        var again = await CliHarness.RunAsync(Quick(data, @out, "plan", "--limit", "2", "--shard-size", "1"));
        Assert.True(again.ExitCode == 0, again.Err);
        Assert.Contains("resumed: 2 shard(s)", again.Err);

        // A shard whose manifest is gone is not done: aggregate refuses, query does not count its files.
        File.Delete(Path.Combine(runDir, "_manifests", "shard-00001.json"));
        File.Delete(Path.Combine(runDir, "summary.json"));
        var refused = await CliHarness.RunAsync("aggregate", "--run", runDir);
        Assert.Equal(1, refused.ExitCode);
        Assert.Equal($"robustcrop: {runDir}: unfinished: 1/2 shards (aggregate --allow-partial shows what is done)", Assert.Single(refused.ErrLines));
        Assert.False(File.Exists(Path.Combine(runDir, "summary.json")));

        var partial = await CliHarness.RunAsync("aggregate", "--run", runDir, "--allow-partial");
        Assert.True(partial.ExitCode == 0, partial.Err);
        Assert.Contains("unfinished: 1/2 shards; summary.json not written", partial.Err);
        Assert.Contains("1 images", partial.Out);
        Assert.False(File.Exists(Path.Combine(runDir, "summary.json")));

        var count = await CliHarness.RunAsync("query", "--run", runDir, "--format", "csv", "SELECT count(*) AS n FROM images");
        Assert.True(count.ExitCode == 0, count.Err);
        Assert.Equal("n\n1", count.Out.Replace("\r", "", StringComparison.Ordinal).Trim());
    }

    [Fact]
    public async Task Two_starts_of_one_run_id_at_the_same_instant_one_runs_and_the_other_stops_with_one_line()
    {
        using var tmp = new TempDir();
        string data = tmp.Sub("photos");
        File.Copy(Path.Combine(CliHarness.PhotosDir, "coins.png"), Path.Combine(data, "coins.png"));
        string @out = tmp.Sub("out");

        // --window 1 and --window 2 both ran before, their rows mixed under one run id, both exit 0.
        var runs = await Task.WhenAll(
            Task.Run(() => CliHarness.RunAsync(Quick(data, @out, "race"))),
            Task.Run(() => CliHarness.RunAsync([.. Quick(data, @out, "race")[..^4], "--window", "2", "--threads", "2"])));

        Assert.Equal([0, 1], runs.Select(r => r.ExitCode).Order());
        var loser = runs.Single(r => r.ExitCode == 1);
        string line = Assert.Single(loser.ErrLines);
        Assert.StartsWith("robustcrop: run 'race' was started with another plan (--window ", line);
    }

    [Fact]
    public async Task A_resume_over_changed_data_stops_naming_the_change()
    {
        using var tmp = new TempDir();
        string data = tmp.Sub("photos");
        foreach (var name in new[] { "coins.png", "camera.png" })
            File.Copy(Path.Combine(CliHarness.PhotosDir, name), Path.Combine(data, name));
        string @out = tmp.Sub("out");
        var first = await CliHarness.RunAsync(Quick(data, @out, "changed", "--shard-size", "1", "--limit", "1"));
        Assert.True(first.ExitCode == 0, first.Err);

        // coins.png replaced by another image of the same name: the resume skipped its done shard silently before.
        File.Copy(Path.Combine(CliHarness.PhotosDir, "chelsea.png"), Path.Combine(data, "coins.png"), overwrite: true);
        var resumed = await CliHarness.RunAsync(Quick(data, @out, "changed", "--shard-size", "1", "--limit", "1"));

        Assert.Equal(1, resumed.ExitCode);
        Assert.StartsWith("robustcrop: run 'changed' was started with another plan (--data 2 files of ", Assert.Single(resumed.ErrLines));
    }

    [Fact]
    public async Task An_out_that_is_a_file_stops_the_run_at_start_with_one_line()
    {
        using var tmp = new TempDir();
        string file = Path.Combine(tmp.Path, "out.txt");
        await File.WriteAllTextAsync(file, "not a folder");
        var r = await CliHarness.RunAsync(Quick(CliHarness.PhotosDir, file, "x", "--limit", "1"));
        Assert.Equal(1, r.ExitCode);
        Assert.Equal($"robustcrop: storage error: --out {file} is a file, not a folder", Assert.Single(r.ErrLines));
    }
}
