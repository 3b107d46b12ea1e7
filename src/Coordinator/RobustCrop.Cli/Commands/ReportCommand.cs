using RobustCrop.Coordinator.Analysis;
using RobustCrop.IO.Storage;

using RobustCrop.Worker.Sinks;

namespace RobustCrop.Cli.Commands;

public sealed class ReportCommand : ICommand
{
    public string Name => "report";
    public string Summary => "plots (PNG) and one self-contained HTML page of a finished run";
    public string Usage => """
        robustcrop report --run RUN [options]
          --run RUN           the run: <out>/<run-id> (a local folder, or a store URI such as az://…/<run-id>)
          --to DIR            write into this folder instead of <run>/report/
          --data PATHS        the evaluated data (evaluate's --data syntax): draws each flipped image's two crops
                              side by side; without it the flipped images are listed by key
          --cache DIR         where runs from remote stores are fetched to (default: the temp folder)
          --connection-string S  for az:// runs (default: AZURE_STORAGE_CONNECTION_STRING); never printed
        """;

    public async Task<int> RunAsync(CommandLine a, CancellationToken ct)
    {
        string run = a.String("run") ?? throw new UsageException("--run <out>/<run-id> is required");
        string? to = a.String("to");
        string? data = a.String("data");
        string cache = a.String("cache") ?? RunLocation.DefaultCacheRoot;
        string? connectionString = a.String("connection-string");
        a.ThrowOnUnused();

        var location = RunLocation.Open(run, connectionString);
        string folder = await location.LocalFolderAsync(cache, ct);
        var (target, prefix) = to is null ? (location.Store, location.Layout.ReportDir) : (StoreFactory.Open(to, connectionString), "");
        var result = await RunReport.WriteAsync(location, folder, target, prefix, data, ct);
        if (!result.PlotText) System.Console.Error.WriteLine("robustcrop: note: no font file found (set ROBUSTCROP_FONT to a .ttf); the plots have no text, the HTML page has it all");
        string where = target is LocalFolderStore local ? Path.Combine(local.Root, result.HtmlPath) : $"{target.Describe()}: {result.HtmlPath}";
        System.Console.WriteLine($"report: {where} ({result.PngPaths.Count} plots, {result.FlippedImages} flipped image(s), {result.FlipImagesDrawn} drawn)");
        return 0;
    }
}
