using RobustCrop.Cli.Options;

namespace RobustCrop.Cli;

public static class Program
{
    /// <summary>The one place that touches the process console: commands get its writers through <see cref="CliConsole"/>.</summary>
    public static async Task<int> Main(string[] args)
    {
        // SIGTERM as well as Ctrl+C: a cancelled job stops cleanly, says so and exits 130, and its run id resumes.
        using var stop = new RobustCrop.Cluster.Hosting.StopSignals();
        var io = CliConsole.Create(System.Console.Out, System.Console.Error,
            outIsTerminal: !System.Console.IsOutputRedirected, errIsTerminal: !System.Console.IsErrorRedirected);
        return await CommandRouter.RunAsync(args, io, stop.Token);
    }
}
