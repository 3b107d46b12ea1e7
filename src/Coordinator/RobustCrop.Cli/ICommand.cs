namespace RobustCrop.Cli;

public interface ICommand
{
    string Name { get; }
    string Summary { get; }
    string Usage { get; }
    Task<int> RunAsync(CommandLine args, CancellationToken ct);
}
