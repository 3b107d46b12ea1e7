using RobustCrop.IO.Onnx;

namespace RobustCrop.Cli.Tests;

/// <summary>The <c>evaluate</c> command end to end with the shipped zoo and ResNet18, in process.</summary>
[Trait("Category", "Slow")]
public class EvaluateEndToEndTests
{
    // The decoder fixtures README: these decode (possibly after conversion) and must be measured…
    private static readonly string[] Usable =
    [
        "good-rgb.jpg", "good-rgb.png", "grey16.png", "cmyk.jpg", "animated.gif", "oriented-6.jpg",
        "orient-1.jpg", "orient-2.jpg", "orient-3.jpg", "orient-4.jpg", "orient-5.jpg", "orient-6.jpg", "orient-7.jpg", "orient-8.jpg",
    ];

    // …and these are each exactly one error row.
    private static readonly string[] Unusable = ["empty.jpg", "text.jpg", "tiny-4x4.png", "truncated.png", "corrupt.jpg", "huge-dims.png"];

    private static string[] Quick(string data, string @out, string runId, params string[] more)
        => ["evaluate", "--data", data, "--out", @out, "--run-id", runId, "--model", "resnet18", "--window", "1", "--threads", "2", .. more];

    private static string CopyPhotos(TempDir tmp, int count)
    {
        string data = tmp.Sub("photos");
        foreach (var name in new[] { "camera.png", "coins.png", "chelsea.png", "coffee.png" }.Take(count))
            File.Copy(Path.Combine(CliHarness.PhotosDir, name), Path.Combine(data, name));
        return data;
    }

    [Fact]
    public async Task Bad_inputs_each_unusable_file_is_one_error_row_and_the_rest_are_measured()
    {
        using var tmp = new TempDir();
        string data = tmp.Sub("data");
        foreach (var name in Usable.Concat(Unusable))
            File.Copy(Path.Combine(CliHarness.FixturesDir, name), Path.Combine(data, name));
        string @out = tmp.Sub("out");

        var run = await CliHarness.RunAsync(Quick(data, @out, "bad"));

        Assert.True(run.ExitCode == 0, run.Err);
        string runDir = Path.Combine(@out, "bad");
        var summary = CliHarness.ReadSummary(runDir);
        Assert.Equal(Usable.Length, (long)summary["images"]!);
        Assert.Equal(Unusable.Length, (long)summary["errors"]!);

        var errors = await CliHarness.ReadErrorRowsAsync(runDir);
        Assert.Equal(Unusable.Order(), errors.Select(e => Path.GetFileName(e.ImageKey)).Order());
        Assert.All(errors, e =>
        {
            Assert.False(string.IsNullOrWhiteSpace(e.Reason), e.ImageKey);
            Assert.DoesNotContain('\n', e.Reason);
            Assert.Equal(e.Reason.Trim(), e.Reason);
        });
        var reasons = errors.ToDictionary(e => Path.GetFileName(e.ImageKey), e => e.Reason);
        Assert.Contains("empty", reasons["empty.jpg"]);
        Assert.Contains("8-px minimum side", reasons["tiny-4x4.png"]);
        Assert.Contains("truncated", reasons["truncated.png"]);
        Assert.Contains("over the 40000000-pixel limit", reasons["huge-dims.png"]);

        var images = await CliHarness.ReadImageRowsAsync(runDir);
        Assert.Equal(Usable.Order(), images.Select(r => Path.GetFileName(r.ImageKey)).Order());
        Assert.All(images, r => Assert.Equal("resnet18", r.Model));
        var oriented = images.Single(r => Path.GetFileName(r.ImageKey) == "oriented-6.jpg");
        Assert.Equal((24, 40), (oriented.SourceWidth, oriented.SourceHeight)); // EXIF rotation applied before the scene
    }

    private static void AssertOneLineFailure(CliRun run, params string[] mentions)
    {
        Assert.NotEqual(0, run.ExitCode);
        var line = Assert.Single(run.ErrLines);
        Assert.StartsWith("robustcrop: ", line);
        foreach (var m in mentions) Assert.Contains(m, line);
    }

    private static string WriteZoo(TempDir tmp, string onnx, int size, int resize, string extra = "")
    {
        string zoo = Path.Combine(tmp.Path, "zoo.yaml");
        File.WriteAllText(zoo, $"""
            models:
              - id: m
                onnx: {onnx}
                input: {"{"} size: {size} {"}"}
                resize: {"{"} size: {resize} {"}"}
            {extra}
            """);
        return zoo;
    }

    [Fact]
    public async Task Missing_model_file_fails_with_one_line()
    {
        using var tmp = new TempDir();
        string zoo = WriteZoo(tmp, "does-not-exist.onnx", 224, 256);
        var run = await CliHarness.RunAsync("evaluate", "--data", CopyPhotos(tmp, 1), "--out", tmp.Sub("out"), "--zoo", zoo, "--threads", "2");
        AssertOneLineFailure(run, "model file not found", "does-not-exist.onnx");
    }

    [Fact]
    public async Task Wrong_manifest_input_size_fails_with_one_line()
    {
        using var tmp = new TempDir();
        string zoo = WriteZoo(tmp, "builtin:ResNet18Onnx/ResNet18.onnx", 299, 320);
        var run = await CliHarness.RunAsync("evaluate", "--data", CopyPhotos(tmp, 1), "--out", tmp.Sub("out"), "--zoo", zoo, "--threads", "2");
        AssertOneLineFailure(run, "224", "manifest says 299");
    }

    [Fact]
    public async Task Crop_pct_one_model_stops_before_anything_runs_with_the_margin_line()
    {
        using var tmp = new TempDir();
        string zoo = WriteZoo(tmp, "builtin:ResNet18Onnx/ResNet18.onnx", 224, 224, "    output: { kind: embedding }");
        string @out = tmp.Sub("out");
        var run = await CliHarness.RunAsync("evaluate", "--data", CopyPhotos(tmp, 1), "--out", @out, "--zoo", zoo, "--threads", "2", "--rics", "9");
        AssertOneLineFailure(run, "model m: resize 224 around a 224-px crop leaves 0 px of room to shift", "need 5", "set resize.margin: 5");
        Assert.Empty(Directory.EnumerateFileSystemEntries(@out)); // nothing ran
    }

    [Fact]
    public async Task Rics_windows_past_the_margin_stop_before_anything_runs()
    {
        using var tmp = new TempDir();
        string @out = tmp.Sub("out"), data = CopyPhotos(tmp, 1);
        foreach (var n in new[] { "33", "255" })
        {
            var run = await CliHarness.RunAsync("evaluate", "--data", data, "--out", @out, "--model", "resnet18", "--threads", "2", "--rics", n);
            AssertOneLineFailure(run, "model resnet18: resize 256 around a 224-px crop leaves 16 px", $"RICS windows of {n} px");
        }
        Assert.Empty(Directory.EnumerateFileSystemEntries(@out));
    }

    [Fact]
    public async Task Margin_model_is_measured_on_the_wider_scene()
    {
        using var tmp = new TempDir();
        string zoo = WriteZoo(tmp, "builtin:ResNet18Onnx/ResNet18.onnx", 224, 224, "    output: { kind: embedding }");
        File.WriteAllText(zoo, File.ReadAllText(zoo).Replace("resize: { size: 224 }", "resize: { size: 224, margin: 2 }", StringComparison.Ordinal));
        string @out = tmp.Sub("out");
        var run = await CliHarness.RunAsync("evaluate", "--data", CopyPhotos(tmp, 1), "--out", @out, "--run-id", "margin", "--zoo", zoo, "--threads", "2", "--window", "2");
        Assert.True(run.ExitCode == 0, run.Err);
        var row = Assert.Single(await CliHarness.ReadImageRowsAsync(Path.Combine(@out, "margin")));
        Assert.Equal(228, Math.Min(row.SceneWidth, row.SceneHeight)); // C + 2m
        Assert.Equal(8, row.Shifts1px);
    }

    [Fact]
    public async Task Model_returning_NaN_fails_with_one_line_and_writes_no_shard()
    {
        using var tmp = new TempDir();
        byte[] nan = new OnnxGraphBuilder("returns_nan")
            .AddInput("image", "batch", 3, 16, 16)
            .AddOutput("nan", "batch", 3)
            .AddInitializer("one", [], [1f])
            .AddNode("ReduceMean", ["image"], ["mean"], OnnxAttribute.Ints("axes", 2, 3), OnnxAttribute.Int("keepdims", 0))
            .AddNode("Abs", ["mean"], ["abs"])
            .AddNode("Neg", ["abs"], ["negative"])
            .AddNode("Sub", ["negative", "one"], ["below_minus_one"])
            .AddNode("Sqrt", ["below_minus_one"], ["nan"])
            .ToBytes();
        File.WriteAllBytes(Path.Combine(tmp.Path, "nan.onnx"), nan);
        string zoo = WriteZoo(tmp, "nan.onnx", 16, 24);
        string @out = tmp.Sub("out");
        var run = await CliHarness.RunAsync("evaluate", "--data", CopyPhotos(tmp, 2), "--out", @out, "--run-id", "nan", "--zoo", zoo, "--threads", "2");
        // The run had started (its "evaluating …" note is progress output on stderr); the failure itself is one last line.
        Assert.NotEqual(0, run.ExitCode);
        var lines = run.ErrLines;
        Assert.Single(lines, l => l.StartsWith("robustcrop: ", StringComparison.Ordinal));
        Assert.StartsWith("robustcrop: ", lines[^1]);
        Assert.Contains("returned NaN", lines[^1]);
        Assert.All(lines[..^1], l => Assert.True(l.StartsWith("evaluating ", StringComparison.Ordinal) || l.StartsWith("progress ", StringComparison.Ordinal), l));
        Assert.False(Directory.Exists(Path.Combine(@out, "nan", "_manifests")) && Directory.EnumerateFiles(Path.Combine(@out, "nan", "_manifests")).Any());
        Assert.False(File.Exists(Path.Combine(@out, "nan", "_SUCCESS")));
    }

    [Fact]
    public async Task Unknown_option_fails_with_one_line()
    {
        using var tmp = new TempDir();
        var run = await CliHarness.RunAsync("evaluate", "--data", CopyPhotos(tmp, 1), "--out", tmp.Sub("out"), "--frobnicate", "3");
        AssertOneLineFailure(run, "--frobnicate");
    }

    [Fact]
    public async Task Missing_data_path_fails_with_one_line()
    {
        using var tmp = new TempDir();
        string missing = Path.Combine(tmp.Path, "no-such-folder");
        var run = await CliHarness.RunAsync("evaluate", "--data", missing, "--out", tmp.Sub("out"), "--model", "resnet18");
        AssertOneLineFailure(run, missing);
    }

    [Fact]
    public async Task Bad_device_fails_with_one_line()
    {
        using var tmp = new TempDir();
        var run = await CliHarness.RunAsync("evaluate", "--data", CopyPhotos(tmp, 1), "--out", tmp.Sub("out"), "--model", "resnet18", "--device", "tpu");
        AssertOneLineFailure(run, "tpu");
        Assert.Equal("robustcrop: invalid device 'tpu': expected cpu, cuda or cuda:N", run.ErrLines.Single());
    }

    [Fact]
    public async Task Second_run_with_the_same_run_id_skips_every_shard_and_reproduces_the_summary()
    {
        using var tmp = new TempDir();
        string data = CopyPhotos(tmp, 4), @out = tmp.Sub("out");
        string[] args = Quick(data, @out, "resume", "--shard-size", "2");

        var first = await CliHarness.RunAsync(args);
        Assert.True(first.ExitCode == 0, first.Err);
        string runDir = Path.Combine(@out, "resume");
        Assert.Equal(2, Directory.GetFiles(Path.Combine(runDir, "_manifests")).Length);
        Assert.DoesNotContain("resumed", first.Err);
        var before = CliHarness.ReadSummary(runDir);
        Assert.Equal(4, (long)before["images"]!);

        var second = await CliHarness.RunAsync(args);
        Assert.True(second.ExitCode == 0, second.Err);
        Assert.Contains("resumed: 2 shard(s)", second.Err);
        var after = CliHarness.ReadSummary(runDir);
        Assert.NotNull(before["created_utc"]);
        before.Remove("created_utc");
        after.Remove("created_utc");
        Assert.Equal(before.ToJsonString(), after.ToJsonString());
    }

    [Fact]
    public async Task Rerun_after_losing_a_manifest_redoes_the_shard_without_duplicating_rows()
    {
        using var tmp = new TempDir();
        string data = CopyPhotos(tmp, 4), @out = tmp.Sub("out");
        string[] args = Quick(data, @out, "idem", "--shard-size", "2");
        var first = await CliHarness.RunAsync(args);
        Assert.True(first.ExitCode == 0, first.Err);
        string runDir = Path.Combine(@out, "idem");
        var before = CliHarness.ReadSummary(runDir);

        File.Delete(Path.Combine(runDir, "_manifests", "shard-00001.json"));
        var second = await CliHarness.RunAsync(args);
        Assert.True(second.ExitCode == 0, second.Err);
        Assert.Contains("resumed: 1 shard(s)", second.Err);
        Assert.True(File.Exists(Path.Combine(runDir, "_manifests", "shard-00001.json")));

        var rows = await CliHarness.ReadImageRowsAsync(runDir);
        Assert.Equal(4, rows.Count);
        Assert.All(rows.GroupBy(r => (r.ImageKey, r.Model)), g => Assert.Single(g));
        var after = CliHarness.ReadSummary(runDir);
        Assert.Equal(4, (long)after["images"]!);
        Assert.Equal(before["models"]!.ToJsonString(), after["models"]!.ToJsonString());
    }
}
