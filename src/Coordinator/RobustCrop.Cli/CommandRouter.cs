using RobustCrop.Core.Data;
using RobustCrop.IO.Data;
using RobustCrop.Core.Models;
using RobustCrop.IO.Models;
using RobustCrop.IO.Storage;
using RobustCrop.IO;
using RobustCrop.Worker.Inference;
using RobustCrop.Worker.Sinks;

namespace RobustCrop.Cli;

/// <summary>Dispatches the command word and turns every expected failure into one line on stderr and a non-zero exit.</summary>
public static class CommandRouter
{
    public const int UsageError = 2;
    public const int RunFailed = 1;

    public static async Task<int> RunAsync(string[] args, IReadOnlyList<ICommand> commands)
    {
        using var cts = new CancellationTokenSource();
        System.Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
        if (args.Length == 0 || args[0] is "help" or "--help" or "-h")
        {
            PrintHelp(commands, args.Length > 1 ? args[1] : null);
            return args.Length == 0 ? UsageError : 0;
        }
        var command = commands.FirstOrDefault(c => c.Name == args[0]);
        if (command is null) return Fail(UsageError, $"unknown command '{args[0]}'; commands: {string.Join(", ", commands.Select(c => c.Name))}");
        try
        {
            var cl = CommandLine.Parse(args);
            if (cl.Flag("help")) { PrintHelp(commands, command.Name); return 0; }
            return await command.RunAsync(cl, cts.Token);
        }
        catch (UsageException e) { return Fail(UsageError, e.Message); }
        catch (DuckDB.NET.Data.DuckDBException e) { return Fail(RunFailed, $"query failed: {e.Message}"); }
        catch (Exception e) when (e is ZooException or DatasetException or ModelLoadException or ModelOutputException or NotSupportedException
            or ArgumentException or IOException or UnauthorizedAccessException or Azure.RequestFailedException or Coordinator.Jobs.JobFailedException
            || (e is AggregateException agg && StorageErrors.Exhausted(agg) is not null))
        {
            return Fail(RunFailed, FailureReasons.Describe(e));
        }
        catch (OperationCanceledException) { return Fail(130, "cancelled"); }
    }

    private static int Fail(int code, string message)
    {
        System.Console.Error.WriteLine($"robustcrop: {message.Split('\n')[0].Trim()}");
        return code;
    }

    private static void PrintHelp(IReadOnlyList<ICommand> commands, string? name)
    {
        var one = commands.FirstOrDefault(c => c.Name == name);
        if (one is not null) { System.Console.WriteLine(one.Usage); return; }
        System.Console.WriteLine("robustcrop — how much do image models change their answer when the camera moves by one pixel?\n");
        // Padded to the longest name so the summaries stay in one column as commands are added.
        int width = commands.Max(c => c.Name.Length);
        foreach (var c in commands) System.Console.WriteLine($"  {c.Name.PadRight(width)} {c.Summary}");
        System.Console.WriteLine("\nrobustcrop help COMMAND shows a command's options.");
    }
}
