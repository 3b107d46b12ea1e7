
namespace RobustCrop.Cli;

public static class Program
{
    /// <summary>Models shipped with the program ("builtin:" in zoo files).</summary>
    public static string BuiltinModelsDir => Path.Combine(AppContext.BaseDirectory, "models");

    /// <summary>The default zoo and sample data, copied next to the program so the default job runs from anywhere.</summary>
    public static string DefaultZoo => Path.Combine(AppContext.BaseDirectory, "zoo", "default.yaml");

    public static string DefaultData =>
        string.Join(',', Path.Combine(AppContext.BaseDirectory, "samples", "photos"), Path.Combine(AppContext.BaseDirectory, "samples", "fashion-mnist"));

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
