using SkiaSharp;

namespace RobustCrop.Cli.Tests.Zoo;

/// <summary>ImageNet-style folders (<c>val/&lt;synset&gt;/*.png</c>) scored through the zoo's <c>labels:</c> file.</summary>
public sealed class SynsetLabelsTests
{
    private static void Square(string path, SKColor colour)
    {
        using var bitmap = new SKBitmap(24, 24);
        bitmap.Erase(colour);
        using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, png.ToArray());
    }

    [Fact]
    public async Task Synset_folders_are_scored_against_the_class_each_synset_names()
    {
        using var tmp = new TempDir();
        // A logits model whose class is the image's strongest channel: 0 red, 1 green, 2 blue.
        File.WriteAllBytes(Path.Combine(tmp.Path, "mean.onnx"), TinyModels.MeanColour(16));
        // The mapping in class order, as LOC_synset_mapping.txt has it (synset, then the readable name).
        File.WriteAllLines(Path.Combine(tmp.Path, "synsets.txt"), ["n00000003 red thing", "n00000001 green thing", "n00000002 blue thing"]);
        string val = tmp.Sub("val");
        foreach (var synset in new[] { "n00000001", "n00000002", "n00000003" }) Directory.CreateDirectory(Path.Combine(val, synset));
        Square(Path.Combine(val, "n00000003", "a.png"), new SKColor(220, 20, 20)); // red, folder of class 0: right
        Square(Path.Combine(val, "n00000001", "b.png"), new SKColor(20, 220, 20)); // green, class 1: right
        Square(Path.Combine(val, "n00000002", "c.png"), new SKColor(220, 20, 20)); // red in the blue folder: wrong
        string zoo = Path.Combine(tmp.Path, "zoo.yaml");
        File.WriteAllText(zoo, """
            models:
              - id: colour
                onnx: mean.onnx
                input: { size: 16 }
                resize: { size: 20 }
                normalization: { mean: [0, 0, 0], std: [1, 1, 1] }
                output: { kind: logits }
                labels: synsets.txt
            """);
        string @out = tmp.Sub("out");

        var run = await CliHarness.RunAsync("evaluate", "--data", val, "--zoo", zoo, "--out", @out, "--run-id", "syn", "--threads", "2", "--window", "1");

        Assert.True(run.ExitCode == 0, run.Err);
        var rows = (await CliHarness.ReadImageRowsAsync(Path.Combine(@out, "syn"))).OrderBy(r => r.ImageKey, StringComparer.Ordinal).ToList();
        // Keys sort by folder: the green square, the red one in the blue folder, the red one.
        Assert.Equal([("n00000001", "green thing", true), ("n00000002", "red thing", false), ("n00000003", "red thing", true)],
            rows.Select(r => (r.Label!, r.PredictionLabel!, r.Correct!.Value)));
        var model = CliHarness.ReadSummary(Path.Combine(@out, "syn"))["models"]!.AsArray().Single()!;
        Assert.Equal(2.0 / 3, (double)model["accuracy"]!, 9);
        // One τ given: the list holds it alone; no kept embeddings, so no gallery: nn_changed_1px is null, not a made-up number.
        var realistic = model["realistic"]!.AsObject();
        Assert.Equal(realistic["changed_1px"]!.ToJsonString(), Assert.Single(realistic["changed_1px_by_tau"]!.AsArray())!.ToJsonString());
        Assert.True(realistic.ContainsKey("nn_changed_1px"));
        Assert.Null(realistic["nn_changed_1px"]);
    }

    [Fact]
    public async Task A_labels_file_that_does_not_fit_the_model_stops_the_run_in_one_line()
    {
        using var tmp = new TempDir();
        File.WriteAllBytes(Path.Combine(tmp.Path, "mean.onnx"), TinyModels.MeanColour(16));
        File.WriteAllLines(Path.Combine(tmp.Path, "synsets.txt"), ["n00000001 a", "n00000002 b"]);
        string val = tmp.Sub("val");
        Directory.CreateDirectory(Path.Combine(val, "n00000001"));
        Square(Path.Combine(val, "n00000001", "a.png"), new SKColor(220, 20, 20));
        string zoo = Path.Combine(tmp.Path, "zoo.yaml");
        File.WriteAllText(zoo, """
            models:
              - { id: colour, onnx: mean.onnx, input: { size: 16 }, resize: { size: 20 }, output: { kind: logits }, labels: synsets.txt }
            """);
        var run = await CliHarness.RunAsync("evaluate", "--data", val, "--zoo", zoo, "--out", tmp.Sub("out"), "--run-id", "bad", "--threads", "2");
        Assert.NotEqual(0, run.ExitCode);
        Assert.Equal("robustcrop: model colour: labels synsets.txt names 2 classes, the model has 3", Assert.Single(run.ErrLines));
    }
}
