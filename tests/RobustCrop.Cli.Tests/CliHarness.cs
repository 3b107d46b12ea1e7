using System.Text.Json.Nodes;
using RobustCrop.Cli.Options;
using RobustCrop.Core.Results;
using RobustCrop.IO.Results;

namespace RobustCrop.Cli.Tests;

public sealed record CliRun(int ExitCode, string Out, string Err)
{
    public string[] ErrLines => Err.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
}

/// <summary>
/// Runs <c>robustcrop</c> in-process with writers of its own (the commands never touch the process console), so
/// runs may go side by side.
/// </summary>
public static class CliHarness
{
    public static async Task<CliRun> RunAsync(params string[] args)
    {
        var (o, e) = (new StringWriter(), new StringWriter());
        // Progress and notes come from the job's threads while the command writes: one lock per writer.
        var io = CliConsole.ForWriters(TextWriter.Synchronized(o), TextWriter.Synchronized(e));
        int code = await CommandRouter.RunAsync(args, io, CancellationToken.None);
        return new CliRun(code, o.ToString(), e.ToString());
    }

    public static string FixturesDir => Path.Combine(AppContext.BaseDirectory, "Fixtures", "bad-inputs");

    public static string PhotosDir => Path.Combine(AppContext.BaseDirectory, "samples", "photos");

    public static async Task<List<ImageRow>> ReadImageRowsAsync(string runDir)
    {
        var rows = new List<ImageRow>();
        foreach (var f in Directory.GetFiles(Path.Combine(runDir, "images"), "*.parquet", SearchOption.AllDirectories).Order())
        {
            await using var s = File.OpenRead(f);
            rows.AddRange(await ResultParquet.ReadImageRowsAsync(s));
        }
        return rows;
    }

    public static async Task<List<ErrorRow>> ReadErrorRowsAsync(string runDir)
    {
        var rows = new List<ErrorRow>();
        string dir = Path.Combine(runDir, "errors");
        if (!Directory.Exists(dir)) return rows;
        foreach (var f in Directory.GetFiles(dir, "*.parquet").Order())
        {
            await using var s = File.OpenRead(f);
            rows.AddRange(await ResultParquet.ReadErrorRowsAsync(s));
        }
        return rows;
    }

    public static JsonObject ReadSummary(string runDir)
        => JsonNode.Parse(File.ReadAllText(Path.Combine(runDir, "summary.json")))!.AsObject();
}

/// <summary>A fresh folder under the system temp directory, removed afterwards.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "robustcrop-tests-" + Guid.NewGuid().ToString("N")[..12]);

    public string Sub(string name)
    {
        string p = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(p);
        return p;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
