using System.Text.Json.Nodes;
using SkiaSharp;

namespace RobustCrop.Cli.Tests.Zoo;

/// <summary>
/// The synthetic zoo end to end through one <c>evaluate</c>: an NHWC model, a float16 model, a two-output model read by
/// <c>output.name</c>, an external-data model and a ViT-like token model. The first four return their input flattened
/// (the external one times a known scale), so each base crop's stored embedding is exactly the crop the model received;
/// the test computes that crop by hand from the image's pixels, in the model's layout and element type.
/// </summary>
[Trait("Category", "Slow")]
public sealed class SyntheticZooTests(Xunit.Abstractions.ITestOutputHelper log)
{
    private const int C = 16, R = 22, W = 26;
    private static readonly float[] Mean = [0.5f, 0.25f, 0.125f], Std = [0.5f, 0.25f, 2f];

    private static float[] Scale() => [.. Enumerable.Range(0, 3 * C * C).Select(i => 1f + (i % 5) * 0.5f)];

    [Fact]
    public async Task Every_exporter_shape_runs_through_evaluate_and_receives_the_hand_computed_crop()
    {
        using var tmp = new TempDir();
        string data = tmp.Sub("synth");
        var images = new Dictionary<string, byte[]>(); // name → interleaved RGB, W x R
        var random = new Random(7);
        foreach (string name in new[] { "a", "b" })
        {
            var rgb = new byte[W * R * 3];
            random.NextBytes(rgb);
            images[name] = rgb;
            using var bitmap = new SKBitmap(new SKImageInfo(W, R, SKColorType.Rgba8888, SKAlphaType.Opaque));
            for (int y = 0; y < R; y++)
                for (int x = 0; x < W; x++)
                {
                    int i = (y * W + x) * 3;
                    bitmap.SetPixel(x, y, new SKColor(rgb[i], rgb[i + 1], rgb[i + 2]));
                }
            using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(Path.Combine(data, name + ".png"), png.ToArray());
        }
        File.WriteAllBytes(Path.Combine(tmp.Path, "nhwc.onnx"), ZooModels.IdentityNhwc(C));
        File.WriteAllBytes(Path.Combine(tmp.Path, "fp16.onnx"), ZooModels.IdentityHalf(C));
        File.WriteAllBytes(Path.Combine(tmp.Path, "two.onnx"), ZooModels.TwoOutputs(C));
        string ext = tmp.Sub("external");
        File.WriteAllBytes(Path.Combine(ext, "model.onnx"), ZooModels.ScaledIdentity(C, Scale(), "model.onnx.data"));
        ZooModels.WriteFloats(Path.Combine(ext, "model.onnx.data"), Scale());
        File.WriteAllBytes(Path.Combine(tmp.Path, "vit.onnx"), ZooModels.VitLike(ZooModels.VitWeights.Random(8, 12, seed: 3)));
        string zoo = Path.Combine(tmp.Path, "zoo.yaml");
        const string Norm = "normalization: { mean: [0.5, 0.25, 0.125], std: [0.5, 0.25, 2.0] }";
        File.WriteAllText(zoo, $"""
            models:
              - {"{"} id: nhwc, onnx: nhwc.onnx, input: {"{"} size: {C}, layout: nhwc {"}"}, resize: {"{"} size: {R} {"}"}, output: {"{"} kind: embedding {"}"}, {Norm} {"}"}
              - {"{"} id: fp16, onnx: fp16.onnx, input: {"{"} size: {C}, type: float16 {"}"}, resize: {"{"} size: {R} {"}"}, output: {"{"} kind: embedding {"}"}, {Norm} {"}"}
              - {"{"} id: two, onnx: two.onnx, input: {"{"} size: {C} {"}"}, resize: {"{"} size: {R} {"}"}, output: {"{"} kind: embedding, name: pixels {"}"}, {Norm} {"}"}
              - {"{"} id: external, onnx: external/model.onnx, input: {"{"} size: {C} {"}"}, resize: {"{"} size: {R} {"}"}, output: {"{"} kind: embedding {"}"}, {Norm} {"}"}
              - {"{"} id: vit, onnx: vit.onnx, preset: dinov2, input: {"{"} size: 32 {"}"}, resize: {"{"} size: 38 {"}"}, output: {"{"} pool: cls {"}"} {"}"}
            """);
        string @out = tmp.Sub("out");

        var run = await CliHarness.RunAsync("evaluate", "--data", data, "--zoo", zoo, "--out", @out, "--run-id", "synth",
            "--threads", "2", "--keep-embeddings");

        Assert.True(run.ExitCode == 0, run.Err);
        log.WriteLine(run.Out); // the zoo table (model, preprocessing, metrics), for the record
        string runDir = Path.Combine(@out, "synth");
        var rows = await CliHarness.ReadImageRowsAsync(runDir);
        Assert.Equal(10, rows.Count); // 2 images x 5 models, no errors
        Assert.Empty(await CliHarness.ReadErrorRowsAsync(runDir));
        // The ViT's embedding (12-d CLS) moves under a 1-px shift of its view; the identities' trivially do too.
        Assert.All(rows.Where(r => r.Model == "vit"), r => Assert.True(r.Cosine1pxMin < 0.99999));

        var q = await CliHarness.RunAsync("query", "--run", runDir, "--format", "json",
            "SELECT model, image_key, x, y, embedding FROM crops WHERE kind = 'realistic' AND dx = 0 AND dy = 0 AND model <> 'vit' ORDER BY model, image_key");
        Assert.True(q.ExitCode == 0, q.Err);
        var crops = JsonNode.Parse(q.Out)!.AsArray();
        Assert.Equal(8, crops.Count);
        foreach (var node in crops)
        {
            string model = (string)node!["model"]!;
            var rgb = images[Path.GetFileNameWithoutExtension((string)node["image_key"]!)];
            float[] expected = HandComputedCrop(model, rgb, (int)node["x"]!, (int)node["y"]!);
            float[] actual = [.. node["embedding"]!.AsArray().Select(v => (float)v!)];
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++)
                Assert.True(MathF.Abs(expected[i] - actual[i]) < 1e-6f, $"{model}: element {i} is {actual[i]}, by hand {expected[i]}");
        }
    }

    [Fact]
    public async Task A_layout_that_does_not_match_the_graph_stops_evaluate_with_one_line_before_anything_runs()
    {
        using var tmp = new TempDir();
        string data = tmp.Sub("synth");
        using (var bitmap = new SKBitmap(W, R))
        {
            bitmap.Erase(new SKColor(10, 20, 30));
            using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(Path.Combine(data, "a.png"), png.ToArray());
        }
        File.WriteAllBytes(Path.Combine(tmp.Path, "nchw.onnx"), ZooModels.IdentityNchw(C));
        string zoo = Path.Combine(tmp.Path, "zoo.yaml");
        File.WriteAllText(zoo, $"models:\n  - {{ id: keras, onnx: nchw.onnx, input: {{ size: {C}, layout: nhwc }}, resize: {{ size: {R} }} }}\n");
        string @out = tmp.Sub("out");

        var run = await CliHarness.RunAsync("evaluate", "--data", data, "--zoo", zoo, "--out", @out, "--run-id", "bad", "--threads", "2");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Equal("robustcrop: model keras: input 'image' is [batch,3,16,16], which is NCHW; remove input.layout: nhwc", Assert.Single(run.ErrLines));
        Assert.False(Directory.Exists(Path.Combine(@out, "bad", "images")));
    }

    [Fact]
    public async Task A_margin_model_records_its_native_preprocessing_accuracy_beside_the_shifted_one()
    {
        // A red image with a green centre (30 of 52 px): the native view (crop_pct 1.0, the whole short side) is mostly
        // red, the margin view (scene 16 + 2·5 = 26, crop 16: the central 32 px) is mostly green. The model is the mean
        // colour with a zero-shot head on the colour axes, labelled red: native right, shifted setting wrong.
        using var tmp = new TempDir();
        string data = tmp.Sub("data");
        Directory.CreateDirectory(Path.Combine(data, "red"));
        using (var bitmap = new SKBitmap(52, 52))
        {
            bitmap.Erase(new SKColor(200, 30, 30));
            using (var canvas = new SKCanvas(bitmap))
            using (var green = new SKPaint { Color = new SKColor(30, 200, 30) })
                canvas.DrawRect(11, 11, 30, 30, green);
            using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(Path.Combine(data, "red", "ring.png"), png.ToArray());
        }
        File.WriteAllBytes(Path.Combine(tmp.Path, "mean.onnx"), TinyModels.MeanColour(16));
        NpyWriter.WriteFloat32(Path.Combine(tmp.Path, "colours.npy"), 3, 3, [1, 0, 0, 0, 1, 0, 0, 0, 1]);
        File.WriteAllLines(Path.Combine(tmp.Path, "colours.txt"), ["red", "green", "blue"]);
        string zoo = Path.Combine(tmp.Path, "zoo.yaml");
        File.WriteAllText(zoo, """
            models:
              - id: colour
                onnx: mean.onnx
                input: { size: 16 }
                resize: { crop_pct: 1.0, margin: 5 }
                normalization: { mean: [0, 0, 0], std: [1, 1, 1] }
                output: { kind: embedding }
                head: { path: colours.npy, classes: colours.txt }
            """);
        string @out = tmp.Sub("out");

        var run = await CliHarness.RunAsync("evaluate", "--data", data, "--zoo", zoo, "--out", @out, "--run-id", "native", "--threads", "2");

        Assert.True(run.ExitCode == 0, run.Err);
        var row = Assert.Single(await CliHarness.ReadImageRowsAsync(Path.Combine(@out, "native")));
        Assert.Equal(("green", false, true), (row.PredictionLabel, row.Correct, row.CorrectNative));
        var model = CliHarness.ReadSummary(Path.Combine(@out, "native"))["models"]!.AsArray().Single()!;
        Assert.Equal(0.0, (double)model["accuracy"]!);
        Assert.Equal(1.0, (double)model["accuracy_native"]!);
        Assert.Contains("0.0% (native 100.0%)", run.Out);
        var q = await CliHarness.RunAsync("query", "--run", Path.Combine(@out, "native"), "--format", "json",
            "SELECT accuracy, accuracy_native FROM summary WHERE mode = 'baseline'");
        Assert.True(q.ExitCode == 0, q.Err);
        var parquetRow = JsonNode.Parse(q.Out)!.AsArray().Single()!;
        Assert.Equal((0.0, 1.0), ((double)parquetRow["accuracy"]!, (double)parquetRow["accuracy_native"]!));
    }

    /// <summary>
    /// The C x C window at (x, y) of the scene (the image itself: its short side is already R), normalised
    /// (v·(1/255)/std − mean/std, the pipeline's expression), laid out and typed as <paramref name="model"/> takes it,
    /// passed through the model by hand, and L2-normalised as embeddings are stored.
    /// </summary>
    private static float[] HandComputedCrop(string model, byte[] rgb, int x0, int y0)
    {
        var v = new float[3 * C * C];
        for (int y = 0; y < C; y++)
            for (int x = 0; x < C; x++)
                for (int c = 0; c < 3; c++)
                {
                    float value = rgb[((y0 + y) * W + x0 + x) * 3 + c] * (1f / 255f / Std[c]) - Mean[c] / Std[c];
                    int index = model == "nhwc" ? (y * C + x) * 3 + c : c * C * C + y * C + x;
                    v[index] = model switch
                    {
                        "fp16" => (float)(Half)value,
                        "external" => value * Scale()[index],
                        _ => value,
                    };
                }
        float norm = MathF.Sqrt(v.Sum(e => e * e));
        return [.. v.Select(e => e / norm)];
    }
}
