using RobustCrop.Cli.Options;

namespace RobustCrop.Cli;

public static class Program
{
    /// <summary>The one place that touches the process console: commands get its writers through <see cref="CliConsole"/>.</summary>
    public static async Task<int> Main(string[] args)
    {
        using var cts = new CancellationTokenSource();
        System.Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
        var io = CliConsole.Create(System.Console.Out, System.Console.Error,
            outIsTerminal: !System.Console.IsOutputRedirected, errIsTerminal: !System.Console.IsErrorRedirected);
        return await CommandRouter.RunAsync(args, io, cts.Token);
    }
}
