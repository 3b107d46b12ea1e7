using System.CommandLine;
using RobustCrop.Cli.Options;
using RobustCrop.Coordinator.Analysis;
using RobustCrop.IO.Storage;

namespace RobustCrop.Cli.Commands;

public sealed class ReportCommand : Command
{
    public ReportCommand(CliConsole io) : base("report", "plots (PNG) and one self-contained HTML page of a finished run")
    {
        var run = CliOptions.String("--run", "the run: <out>/<run-id> (a local folder, or a store URI such as az://…/<run-id>)", helpName: "RUN", required: true);
        var to = CliOptions.String("--to", "write into this folder instead of <run>/report/", helpName: "DIR");
        var data = CliOptions.String("--data",
            "the evaluated data (evaluate's --data syntax): draws each flipped image's two crops side by side, and the photos' largest representation changes; without it they are listed by key",
            helpName: "PATHS");
        var cache = new Option<string>("--cache") { Description = "where runs from remote stores are fetched to", HelpName = "DIR", DefaultValueFactory = _ => RunLocation.DefaultCacheRoot };
        var connectionString = CliOptions.String("--connection-string", "for az:// runs (default: AZURE_STORAGE_CONNECTION_STRING); never printed", helpName: "CS");
        foreach (var o in new Option[] { run, to, data, cache, connectionString }) Add(o);

        SetAction(async (p, ct) =>
        {
            string? cs = p.GetValue(connectionString);
            var location = RunLocation.Open(p.GetValue(run)!, cs);
            string folder = await location.LocalFolderAsync(p.GetValue(cache)!, ct);
            var (target, prefix) = p.GetValue(to) is not { } dir ? (location.Store, location.Layout.ReportDir) : (StoreFactory.Open(dir, cs), "");
            var result = await RunReport.WriteAsync(location, folder, target, prefix, p.GetValue(data), ct);
            if (!result.PlotText) io.Err.WriteLine("robustcrop: note: no font file found (set ROBUSTCROP_FONT to a .ttf); the plots have no text, the HTML page has it all");
            string where = target is LocalFolderStore local ? Path.Combine(local.Root, result.HtmlPath) : $"{target.Describe()}: {result.HtmlPath}";
            io.Out.WriteLine($"report: {where} ({result.PngPaths.Count} plots, {result.FlippedImages} flipped image(s), {result.FlipImagesDrawn} drawn, {result.MovedImagesDrawn} representation change(s) drawn)");
            return 0;
        });
    }
}
