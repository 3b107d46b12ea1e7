using RobustCrop.Cli.Commands;

namespace RobustCrop.Cli;

public static class Program
{
    /// <summary>Models shipped with the program ("builtin:" in zoo files).</summary>
    public static string BuiltinModelsDir => Path.Combine(AppContext.BaseDirectory, "models");

    /// <summary>The default zoo and sample data, copied next to the program so the default job runs from anywhere.</summary>
    public static string DefaultZoo => Path.Combine(AppContext.BaseDirectory, "zoo", "default.yaml");

    public static string DefaultData =>
        string.Join(',', Path.Combine(AppContext.BaseDirectory, "samples", "photos"), Path.Combine(AppContext.BaseDirectory, "samples", "fashion-mnist"));

    public static Task<int> Main(string[] args) => CommandRouter.RunAsync(args,
    [
        new EvaluateCommand(),
        new CoordinatorCommand(),
        new FitHeadCommand(),
        new PredictCommand(),
        new BenchCommand(),
        new BenchClusterCommand(),
        new AggregateCommand(),
        new QueryCommand(),
        new ReportCommand(),
    ]);
}
