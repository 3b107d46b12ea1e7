using System.Globalization;
using RobustCrop.Core.Results;
using RobustCrop.IO.Models;
using RobustCrop.IO.Results;
using RobustCrop.IO.Storage;

namespace RobustCrop.Cli.Tests;

/// <summary>
/// <c>predict</c> as a run like evaluate's: a manifest per shard and <c>_SUCCESS</c>, a resume that skips the shards
/// already done, and <c>query</c> reading its rows through a <c>predictions</c> view. Six Fashion-MNIST inputs in three
/// shards of two, through the default zoo's first model (ResNet18 with its Fashion-MNIST head).
/// </summary>
[Trait("Category", "Slow")]
public sealed class PredictEndToEndTests
{
    private const string RunId = "p1";

    private static string FashionMnist => Path.Combine(AppContext.BaseDirectory, "samples", "fashion-mnist");

    private static Task<CliRun> PredictAsync(string @out, params string[] extra)
        => CliHarness.RunAsync(["predict", "--data", FashionMnist, "--limit", "6", "--shard-size", "2", "--out", @out, "--run-id", RunId, .. extra]);

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();

    [Fact]
    public async Task A_predict_run_writes_a_manifest_per_shard_that_matches_its_files_then_SUCCESS()
    {
        using var tmp = new TempDir();
        var run = await PredictAsync(tmp.Path);
        Assert.True(run.ExitCode == 0, run.Err);
        var lines = Lines(run.Out);
        // A line per input first (see PredictOutputTests), then the totals.
        Assert.All(lines[..6], l => Assert.Matches(@"^fashion-mnist/\S+: .+ \d+\.\d% \(top-3: .+\), label .+$", l));
        Assert.Equal($"6 predictions, 0 errors with resnet18 (standard) -> {tmp.Path}/{RunId}/predictions", lines[6]);
        Assert.Matches(@"^accuracy \d+\.\d% on 6 labelled inputs$", lines[7]);
        // Progress counts the crops inferred over the run's three shards (one centre crop per input), not 0.
        Assert.Contains("progress inputs=6 total=6 crops=6 ", run.Err);

        var store = new LocalFolderStore(tmp.Path);
        var layout = new RunLayout(RunId);
        var state = await RunStateIo.ReadAsync(store, layout, default);
        Assert.True(state.Finished);
        Assert.True(state.Success);
        Assert.Equal([0, 1, 2], state.Done.Select(m => m.Shard).Order());
        foreach (var manifest in state.Done)
        {
            Assert.Equal(2, manifest.Images);
            Assert.Equal(0, manifest.Errors);
            Assert.Equal(["resnet18"], manifest.Models);
            Assert.Equal([layout.PredictionsPart(manifest.Shard), layout.ErrorsPart(manifest.Shard)], manifest.Files.Select(f => f.Path));
            foreach (var f in manifest.Files)
            {
                byte[] content = File.ReadAllBytes(Path.Combine(tmp.Path, f.Path));
                Assert.Equal(content.Length, f.Bytes);
                Assert.Equal(ShardManifestIo.HashHex(content), f.XxHash64);
            }
            await using var s = File.OpenRead(Path.Combine(tmp.Path, layout.PredictionsPart(manifest.Shard)));
            var rows = await ResultParquet.ReadRowsAsync<PredictionRow>(s);
            Assert.Equal(2, rows.Count);
            Assert.All(rows, r => Assert.Equal((manifest.Shard, "standard", "resnet18"), (r.Shard, r.Mode, r.Model)));
        }
    }

    [Fact]
    public async Task A_second_predict_with_the_same_run_id_runs_only_the_shards_without_a_manifest()
    {
        using var tmp = new TempDir();
        var first = await PredictAsync(tmp.Path);
        Assert.True(first.ExitCode == 0, first.Err);
        var layout = new RunLayout(RunId);
        string Full(string relative) => Path.Combine(tmp.Path, relative);
        // Shard 2 as if the first run had stopped before its manifest; the done shards' files are kept to compare.
        File.Delete(Full(layout.ShardManifest(2)));
        File.Delete(Full(layout.PredictionsPart(2)));
        File.Delete(Full(layout.Success));
        var kept = new[] { 0, 1 }.ToDictionary(s => s, s => (File.ReadAllText(Full(layout.ShardManifest(s))), File.ReadAllBytes(Full(layout.PredictionsPart(s)))));

        var second = await PredictAsync(tmp.Path);

        Assert.True(second.ExitCode == 0, second.Err);
        Assert.Contains($"run {RunId}: 2 of 3 shard(s) already done, 1 to run", second.ErrLines);
        foreach (var (shard, (manifest, rows)) in kept)
        {
            Assert.Equal(manifest, File.ReadAllText(Full(layout.ShardManifest(shard)))); // not rewritten: same finished_utc
            Assert.Equal(rows, File.ReadAllBytes(Full(layout.PredictionsPart(shard))));
        }
        Assert.True(File.Exists(Full(layout.ShardManifest(2))));
        Assert.True(File.Exists(Full(layout.Success)));
        // The totals are the run's, skipped shards included: the same lines as the first start.
        Assert.Equal(Lines(first.Out), Lines(second.Out));

        var refused = await PredictAsync(tmp.Path, "--robust");
        Assert.Equal(1, refused.ExitCode);
        var line = Assert.Single(refused.ErrLines);
        Assert.Contains($"run '{RunId}' was started with another plan", line);
        Assert.Contains("predict standard → predict rics hash n=9", line);
    }

    [Fact]
    public async Task Query_opens_a_predict_run_through_its_predictions_view()
    {
        using var tmp = new TempDir();
        var run = await PredictAsync(tmp.Path, "--robust", "--window", "3");
        Assert.True(run.ExitCode == 0, run.Err);
        string runDir = Path.Combine(tmp.Path, RunId);
        var expected = new List<PredictionRow>();
        foreach (var f in Directory.GetFiles(Path.Combine(runDir, "predictions"), "*.parquet"))
        {
            await using var s = File.OpenRead(f);
            expected.AddRange(await ResultParquet.ReadRowsAsync<PredictionRow>(s));
        }

        var q = await CliHarness.RunAsync("query", "--run", runDir, "--format", "csv",
            "SELECT count(*) AS n, count(DISTINCT shard) AS shards, min(mode) AS mode, max(\"window\") AS w, sum(correct::INT) AS correct FROM predictions");

        Assert.True(q.ExitCode == 0, q.Err);
        int correct = expected.Count(r => r.Correct == true);
        Assert.Equal(["n,shards,mode,w,correct", string.Create(CultureInfo.InvariantCulture, $"6,3,rics,3,{correct}")], Lines(q.Out));
        var keys = await CliHarness.RunAsync("query", "--run", runDir, "--format", "csv", "SELECT image_key, prediction FROM predictions ORDER BY image_key");
        Assert.Equal(["image_key,prediction", .. expected.OrderBy(r => r.ImageKey, StringComparer.Ordinal).Select(r => $"{r.ImageKey},{r.Prediction}")],
            Lines(keys.Out));
    }

    [Fact]
    public async Task An_unknown_model_is_refused_with_the_one_zoo_selection_line_by_predict_fit_head_and_evaluate()
    {
        using var tmp = new TempDir();
        string zoo = Path.Combine(AppContext.BaseDirectory, "zoo", "default.yaml");
        var expected = Assert.Throws<RobustCrop.Core.Models.ZooException>(
            () => ZooSelection.One(ZooFile.Load(zoo, Path.Combine(AppContext.BaseDirectory, "models")), "nope", zoo)).Message;
        Assert.Contains("is not in the zoo", expected);

        foreach (var args in new[]
                 {
                     new[] { "predict", "--model", "nope", "--out", tmp.Path },
                     ["fit-head", "--model", "nope", "--data", FashionMnist, "--out", Path.Combine(tmp.Path, "head.json")],
                     ["evaluate", "--model", "nope", "--out", tmp.Path, "--limit", "1"],
                 })
        {
            var run = await CliHarness.RunAsync(args);
            Assert.Equal(1, run.ExitCode);
            Assert.Equal($"robustcrop: {expected}", Assert.Single(run.ErrLines));
        }
    }
}
