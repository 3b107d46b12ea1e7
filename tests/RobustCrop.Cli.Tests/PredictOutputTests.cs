using System.Globalization;
using RobustCrop.Cli.Options;
using RobustCrop.Core.Results;
using RobustCrop.IO.Results;

namespace RobustCrop.Cli.Tests;

/// <summary>
/// What <c>predict</c> prints (issue 24): image files as data, a line (or on a terminal a table row) per input with
/// class, confidence and top-3, and one line, said once, when the model's head does not apply to an input's dataset.
/// Runs the default zoo's ResNet18 on a few inputs.
/// </summary>
[Trait("Category", "Slow")]
public sealed class PredictOutputTests
{
    private static string Photo(string name) => Path.Combine(CliHarness.PhotosDir, name);

    private static string FashionMnist => Path.Combine(AppContext.BaseDirectory, "samples", "fashion-mnist");

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();

    private static async Task<List<PredictionRow>> RowsAsync(string runDir)
    {
        var rows = new List<PredictionRow>();
        foreach (var f in Directory.GetFiles(Path.Combine(runDir, "predictions"), "*.parquet").Order())
        {
            await using var s = File.OpenRead(f);
            rows.AddRange(await ResultParquet.ReadRowsAsync<PredictionRow>(s));
        }
        return rows;
    }

    [Fact]
    public async Task A_single_photo_is_one_input_with_one_line_and_the_missing_head_said_once()
    {
        using var tmp = new TempDir();
        var run = await CliHarness.RunAsync("predict", "--data", Photo("astronaut.png"), "--out", tmp.Path, "--run-id", "one", "--threads", "2");

        Assert.True(run.ExitCode == 0, run.Err);
        Assert.Equal(
            [
                "astronaut/astronaut.png: no class",
                $"1 predictions, 0 errors with resnet18 (standard) -> {tmp.Path}/one/predictions",
                "cost: 1 forwards per frame",
                "guarantee: standard centre crop: no shift guarantee (measure it with evaluate)",
            ], Lines(run.Out));
        var note = Assert.Single(run.ErrLines, l => l.Contains("head", StringComparison.Ordinal));
        Assert.StartsWith("model resnet18: its head applies to fashion-mnist; inputs of 'astronaut' get no prediction — fit a head", note);
        Assert.Contains("robustcrop fit-head --model resnet18", note);
        var row = Assert.Single(await RowsAsync(Path.Combine(tmp.Path, "one")));
        Assert.Equal(("astronaut/astronaut.png", null, null), (row.ImageKey, row.Prediction, row.TopK));
    }

    [Fact]
    public async Task Several_files_and_a_folder_print_a_line_per_input_that_matches_the_stored_rows()
    {
        using var tmp = new TempDir();
        string data = $"{Photo("rocket.jpg")},{Photo("coffee.png")},{FashionMnist}";
        var run = await CliHarness.RunAsync("predict", "--data", data, "--limit", "4", "--out", tmp.Path, "--run-id", "many", "--threads", "2");

        Assert.True(run.ExitCode == 0, run.Err);
        // Said once for both photo sources, not once per input or per source.
        var note = Assert.Single(run.ErrLines, l => l.Contains("head", StringComparison.Ordinal));
        Assert.Contains("inputs of 'rocket', 'coffee' get no prediction", note);
        var rows = await RowsAsync(Path.Combine(tmp.Path, "many"));
        Assert.Equal(4, rows.Count);
        var lines = Lines(run.Out);
        Assert.Equal(["rocket/rocket.jpg: no class", "coffee/coffee.png: no class"], lines[..2]);
        foreach (var (row, line) in rows.Where(r => r.ImageKey.StartsWith("fashion-mnist/", StringComparison.Ordinal)).Zip(lines[2..4]))
        {
            // The classes of the head's own dataset: the class, its confidence, the top-3 led by that class, and the label.
            Assert.NotNull(row.Prediction);
            var top = row.TopK!.Split(" | ");
            Assert.Equal(3, top.Length);
            Assert.StartsWith(row.PredictionLabel + " ", top[0]);
            string confidence = (100 * row.Confidence!.Value).ToString("0.0", CultureInfo.InvariantCulture);
            Assert.Equal($"{row.ImageKey}: {row.PredictionLabel} {confidence}% (top-3: {row.TopK}), label {row.Label} ({(row.Correct == true ? "right" : "wrong")})", line);
        }
        Assert.Equal($"4 predictions, 0 errors with resnet18 (standard) -> {tmp.Path}/many/predictions", lines[4]);
        Assert.Matches(@"^accuracy \d+\.\d% on 2 labelled inputs$", lines[5]);
    }

    [Fact]
    public async Task On_a_terminal_the_predictions_are_a_table()
    {
        using var tmp = new TempDir();
        var (o, e) = (new StringWriter(), new StringWriter());
        var io = CliConsole.Create(TextWriter.Synchronized(o), TextWriter.Synchronized(e), outIsTerminal: true, errIsTerminal: false);
        io.Ansi.Profile.Width = 200; // a wide terminal: a captured writer would report 80 columns and fold the cells

        int code = await CommandRouter.RunAsync(["predict", "--data", FashionMnist, "--limit", "2", "--out", tmp.Path, "--run-id", "t", "--threads", "2"],
            io, CancellationToken.None);

        Assert.True(code == 0, e.ToString());
        var rows = await RowsAsync(Path.Combine(tmp.Path, "t"));
        var text = o.ToString();
        var header = Assert.Single(Lines(text), l => l.Contains("input", StringComparison.Ordinal) && l.Contains("top-3", StringComparison.Ordinal));
        foreach (var column in new[] { "class", "confidence", "label" }) Assert.Contains(column, header);
        foreach (var row in rows)
        {
            var line = Assert.Single(Lines(text), l => l.Contains(row.ImageKey, StringComparison.Ordinal));
            Assert.Contains(row.PredictionLabel!, line);
            // The top-3 one class a line, the first beside the input.
            Assert.Contains(row.TopK!.Split(" | ")[0], line);
            foreach (var other in row.TopK!.Split(" | ")[1..]) Assert.Contains(Lines(text), l => l.Contains(other, StringComparison.Ordinal));
        }
        Assert.Contains("guarantee: standard centre crop", text);
    }
}
