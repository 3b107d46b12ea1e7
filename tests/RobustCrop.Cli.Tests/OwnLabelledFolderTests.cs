namespace RobustCrop.Cli.Tests;

/// <summary>
/// The README's two-step recipe for a labelled folder of one's own (issue 24 item 6): with the shipped zoo it gets no
/// accuracy and a line saying why; <c>fit-head</c> on it, a zoo file naming that head, and <c>evaluate --zoo</c> give it
/// an accuracy and a fooled rate. ResNet18 on six sample photos sorted into two classes.
/// </summary>
[Trait("Category", "Slow")]
public sealed class OwnLabelledFolderTests
{
    private static readonly (string Label, string[] Photos)[] Classes =
    [
        ("texture", ["brick.png", "grass.png", "gravel.png"]),
        ("object", ["coffee.png", "rocket.jpg", "clock_motion.png"]),
    ];

    [Fact]
    public async Task Fit_head_then_evaluate_with_a_zoo_naming_the_head_gives_the_folder_an_accuracy_and_a_fooled_rate()
    {
        using var tmp = new TempDir();
        string data = tmp.Sub("mydata");
        foreach (var (label, photos) in Classes)
        {
            string dir = Path.Combine(data, label);
            Directory.CreateDirectory(dir);
            foreach (var p in photos) File.Copy(Path.Combine(CliHarness.PhotosDir, p), Path.Combine(dir, p));
        }
        string @out = tmp.Sub("out");

        // Before: the shipped zoo's heads apply to Fashion-MNIST; one line says so and names the way out.
        var before = await CliHarness.RunAsync("evaluate", "--data", data, "--model", "resnet18", "--limit", "2", "--window", "1",
            "--out", @out, "--run-id", "before", "--threads", "2");
        Assert.True(before.ExitCode == 0, before.Err);
        var note = Assert.Single(before.ErrLines, l => l.Contains("head", StringComparison.Ordinal));
        Assert.StartsWith("model resnet18: its head applies to fashion-mnist; inputs of 'mydata' get representation metrics only — fit a head", note);
        Assert.Null(Model(@out, "before")["accuracy"]);

        // Step 1: fit a head on the folder.
        string head = Path.Combine(tmp.Path, "resnet18-mydata.json");
        var fit = await CliHarness.RunAsync("fit-head", "--model", "resnet18", "--data", data, "--out", head, "--threads", "2");
        Assert.True(fit.ExitCode == 0, fit.Err);
        Assert.True(File.Exists(head));

        // Step 2: a zoo file naming it (the shipped entry with the new head), then evaluate --zoo.
        string zoo = Path.Combine(tmp.Path, "zoo.yaml");
        File.WriteAllText(zoo, """
            models:
              - id: resnet18
                onnx: builtin:ResNet18Onnx/ResNet18.onnx
                input: { size: 224 }
                resize: { size: 256, interpolation: bilinear }
                normalization:
                  channel_order: bgr
                  scale: 1.0
                  mean_image: builtin:ResNetPrepOnnx/ResNetPreprocess.onnx#MeanImage
                output: { kind: embedding }
                head: { path: resnet18-mydata.json, applies_to: [mydata] }
            """);
        var after = await CliHarness.RunAsync("evaluate", "--data", data, "--zoo", zoo, "--limit", "2", "--window", "1",
            "--out", @out, "--run-id", "after", "--threads", "2");

        Assert.True(after.ExitCode == 0, after.Err);
        Assert.DoesNotContain(after.ErrLines, l => l.Contains("head applies", StringComparison.Ordinal));
        var model = Model(@out, "after");
        Assert.Equal("mydata", (string?)model["dataset"]);
        Assert.NotNull(model["accuracy"]);
        Assert.InRange((double)model["accuracy"]!, 0, 1);
        Assert.NotNull(model["realistic"]!["fooled_1px"]);
        Assert.InRange((double)model["realistic"]!["fooled_1px"]!, 0, 1);
    }

    private static System.Text.Json.Nodes.JsonNode Model(string @out, string runId)
        => CliHarness.ReadSummary(Path.Combine(@out, runId))["models"]!.AsArray().Single()!;
}
