using System.Text.Json.Nodes;
using SkiaSharp;

namespace RobustCrop.Cli.Tests.Zoo;

/// <summary>
/// A CLIP-like model end to end through <c>evaluate</c>: the open_clip preset (crop_pct 1.0, bicubic, CLIP's mean/std)
/// with <c>resize.margin</c>, and a zero-shot head from .npy. The model is the per-channel mean of its input, so its
/// embedding is the normalised crop's mean colour: on a solid swatch, exactly ((v/255 − mean) / std) per channel.
/// </summary>
[Trait("Category", "Slow")]
public sealed class ClipLikeZooTests
{
    private static readonly (string Name, byte R, byte G, byte B)[] Swatches = [("red", 200, 30, 30), ("green", 30, 200, 30), ("blue", 30, 30, 200)];

    private static readonly float[] ClipMean = [0.48145466f, 0.4578275f, 0.40821073f];
    private static readonly float[] ClipStd = [0.26862954f, 0.26130258f, 0.27577711f];

    [Fact]
    public async Task Open_clip_preset_with_margin_and_npy_head_sees_the_hand_computed_crop_and_names_each_swatch()
    {
        using var tmp = new TempDir();
        string data = tmp.Sub("swatches");
        foreach (var (name, r, g, b) in Swatches)
        {
            using var bitmap = new SKBitmap(300, 260);
            bitmap.Erase(new SKColor(r, g, b));
            using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(Path.Combine(data, name + ".png"), png.ToArray());
        }
        File.WriteAllBytes(Path.Combine(tmp.Path, "clip.onnx"), TinyModels.MeanColour(224));
        // Class k's text embedding is the k-th axis: the zero-shot answer is the channel that stands out most.
        NpyWriter.WriteFloat32(Path.Combine(tmp.Path, "classes.npy"), 3, 3, [1, 0, 0, 0, 1, 0, 0, 0, 1]);
        File.WriteAllLines(Path.Combine(tmp.Path, "classes.txt"), ["red", "green", "blue"]);
        string zoo = Path.Combine(tmp.Path, "zoo.yaml");
        File.WriteAllText(zoo, """
            models:
              - id: clip-like
                onnx: clip.onnx
                preset: open_clip
                resize: { margin: 5 }
                head: { path: classes.npy, classes: classes.txt, applies_to: [swatches] }
            """);
        string @out = tmp.Sub("out");

        var run = await CliHarness.RunAsync("evaluate", "--data", data, "--zoo", zoo, "--out", @out, "--run-id", "clip",
            "--threads", "2", "--rics", "9", "--keep-embeddings", "--tau", "0.99,0.5");

        Assert.True(run.ExitCode == 0, run.Err);
        string runDir = Path.Combine(@out, "clip");
        var rows = (await CliHarness.ReadImageRowsAsync(runDir)).ToDictionary(r => Path.GetFileNameWithoutExtension(r.ImageKey));
        Assert.Equal(["blue", "green", "red"], rows.Keys.Order());
        foreach (var (name, _, _, _) in Swatches)
        {
            var row = rows[name];
            Assert.Equal((270, 234), (row.SceneWidth, row.SceneHeight)); // short side C + 2m = 224 + 10; 300·234/260 = 270
            Assert.Equal(name, row.PredictionLabel);
            Assert.False(row.Fooled1px);
            Assert.Equal(1.0, row.Cosine1pxMin, 5);
        }

        // Solid swatches: every shift sees the same colours, so nothing changes at any τ and no nearest neighbour moves
        // (the gallery is the three base embeddings, each one's neighbour another swatch, the same from every shift).
        var realistic = CliHarness.ReadSummary(runDir)["models"]!.AsArray().Single()!["realistic"]!;
        Assert.Equal("[{\"tau\":0.99,\"rate\":0},{\"tau\":0.5,\"rate\":0}]", realistic["changed_1px_by_tau"]!.ToJsonString());
        Assert.Equal(realistic["changed_1px"]!.ToJsonString(), realistic["changed_1px_by_tau"]![0]!.ToJsonString());
        Assert.Equal(0.0, (double)realistic["nn_changed_1px"]!);
        Assert.Equal("{\"source\":\"run\",\"size\":3}", realistic["nn_gallery"]!.ToJsonString());

        // A gallery given afterwards (rows for this model and for every model; one for another model, not searched) is
        // kept with the run and searched instead; the swatches' shifts still find the same neighbours.
        string gallery = Path.Combine(tmp.Path, "gallery.parquet");
        await WriteGalleryAsync(gallery, [new([1, 0, 0], "clip-like"), new([0, 1, 0], null), new([0, 0, 1], null), new([1, 1, 1], "other")]);
        var agg = await CliHarness.RunAsync("aggregate", "--run", runDir, "--gallery", gallery);
        Assert.True(agg.ExitCode == 0, agg.Err);
        Assert.True(File.Exists(Path.Combine(runDir, "gallery", "gallery.parquet")));
        realistic = CliHarness.ReadSummary(runDir)["models"]!.AsArray().Single()!["realistic"]!;
        Assert.Equal("{\"source\":\"gallery/gallery.parquet\",\"size\":3}", realistic["nn_gallery"]!.ToJsonString());
        Assert.Equal(0.0, (double)realistic["nn_changed_1px"]!);

        // A gallery of another dimension stops the next run before it starts, in one line naming the file and the model.
        string wrong = Path.Combine(tmp.Path, "wrong.parquet");
        await WriteGalleryAsync(wrong, [new([1, 0, 0, 0], null)]);
        var refused = await CliHarness.RunAsync("evaluate", "--data", data, "--zoo", zoo, "--out", @out, "--run-id", "clip2",
            "--keep-embeddings", "--gallery", wrong);
        Assert.Equal(1, refused.ExitCode);
        Assert.Equal("robustcrop: gallery wrong.parquet: its vectors for model clip-like are 4-dimensional, the model outputs 3", refused.Err.Trim().Split('\n')[^1]);
        Assert.False(Directory.Exists(Path.Combine(@out, "clip2", "crops")));
        var usage = await CliHarness.RunAsync("evaluate", "--data", data, "--zoo", zoo, "--out", @out, "--gallery", gallery);
        Assert.Equal(2, usage.ExitCode);
        Assert.Contains("--gallery needs --keep-embeddings", usage.Err);

        var q = await CliHarness.RunAsync("query", "--run", runDir, "--format", "json",
            "SELECT image_key, embedding FROM crops WHERE kind = 'realistic' AND dx = 0 AND dy = 0 ORDER BY image_key");
        Assert.True(q.ExitCode == 0, q.Err);
        foreach (var node in JsonNode.Parse(q.Out)!.AsArray())
        {
            string name = Path.GetFileNameWithoutExtension((string)node!["image_key"]!);
            var s = Swatches.Single(w => w.Name == name);
            byte[] rgb = [s.R, s.G, s.B];
            // The crop the model receives, by hand: every pixel (v/255 − CLIP mean) / CLIP std; its mean colour, L2-normalised.
            var expected = Enumerable.Range(0, 3).Select(c => (rgb[c] / 255f - ClipMean[c]) / ClipStd[c]).ToArray();
            float norm = MathF.Sqrt(expected.Sum(v => v * v));
            var actual = node["embedding"]!.AsArray().Select(v => (float)v!).ToArray();
            Assert.Equal(3, actual.Length);
            // 1e-4: float32 rounding of the in-pipeline normalisation; one grey level of one channel moves it by ~0.007.
            for (int c = 0; c < 3; c++) Assert.Equal(expected[c] / norm, actual[c], 1e-4f);
        }
    }

    private static async Task WriteGalleryAsync(string path, List<RobustCrop.IO.Results.GalleryRow> rows)
    {
        await using var output = File.Create(path);
        await RobustCrop.IO.Results.ResultParquet.WriteRowsAsync(output, rows);
    }
}
