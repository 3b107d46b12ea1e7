using RobustCrop.Cli.Commands;

namespace RobustCrop.Cli;

public static class Program
{
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
