using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using RobustCrop.Cli.Commands;
using RobustCrop.Cli.Options;
using RobustCrop.Core.Models;
using RobustCrop.IO;
using RobustCrop.IO.Data;
using RobustCrop.IO.Storage;
using RobustCrop.Worker.Inference;

namespace RobustCrop.Cli;

/// <summary>Parses the command line, runs the command, and turns every expected failure into one line on stderr and a non-zero exit.</summary>
public static class CommandRouter
{
    public const int UsageError = 2;
    public const int RunFailed = 1;
    public const int Cancelled = 130;

    // Response files would read any argument starting with '@' as a file name, and bundling would split "-abc": neither
    // existed before, and a SQL text or a path must pass through as given.
    private static readonly ParserConfiguration Parsing = new() { ResponseFileTokenReplacer = null, EnablePosixBundling = false };

    /// <summary>The whole command tree, built per invocation so every command writes to <paramref name="io"/>.</summary>
    public static Command Build(CliConsole io)
    {
        var root = new Command("robustcrop", "how much do image models change their answer when the camera moves by one pixel?")
        {
            new HelpOption(),
            new Option<bool>("--version") { Description = "Show the version", Arity = ArgumentArity.Zero, Action = new PrintVersion(io) },
            new EvaluateCommand(io),
            new CoordinatorCommand(io),
            new FitHeadCommand(io),
            new PredictCommand(io),
            new BenchCommand(io),
            new BenchClusterCommand(io),
            new BenchAggregateCommand(io),
            new AggregateCommand(io),
            new QueryCommand(io),
            new ReportCommand(io),
            new RehearsalDataCommand(io),
        };
        return root;
    }

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CliConsole io, CancellationToken ct)
    {
        var root = Build(io);
        var commands = root.Subcommands;
        if (args.Count == 0)
        {
            await InvokeAsync(root.Parse(["--help"], Parsing), io, ct);
            return UsageError;
        }
        if (args[0] == "help")
        {
            // 'help COMMAND' is the command's --help; an unknown name shows the command list, as 'help' alone does.
            string[] target = args.Count > 1 && commands.Any(c => c.Name == args[1]) ? [args[1], "--help"] : ["--help"];
            return await InvokeAsync(root.Parse(target, Parsing), io, ct);
        }
        if (!args[0].StartsWith('-') && commands.All(c => c.Name != args[0]))
            return Fail(io, UsageError, $"unknown command '{args[0]}'; commands: {string.Join(", ", commands.Select(c => c.Name))}");

        var parse = root.Parse(args, Parsing);
        if (parse.Action is not HelpAction && UsageProblem(parse) is { } problem) return Fail(io, UsageError, problem);
        try
        {
            return await InvokeAsync(parse, io, ct);
        }
        catch (UsageException e) { return Fail(io, UsageError, e.Message); }
        catch (DuckDB.NET.Data.DuckDBException e) { return Fail(io, RunFailed, $"query failed: {e.Message}"); }
        catch (Exception e) when (e is ZooException or DatasetException or ModelLoadException or ModelOutputException or NotSupportedException
            or ArgumentException or IOException or UnauthorizedAccessException or Azure.RequestFailedException or Coordinator.Jobs.JobFailedException
            or IO.Results.RunUnfinishedException or IO.Results.RunPlanMismatchException
            || (e is AggregateException agg && StorageErrors.Exhausted(agg) is not null))
        {
            return Fail(io, RunFailed, FailureReasons.Describe(e));
        }
        catch (OperationCanceledException) { return Fail(io, Cancelled, "cancelled"); }
    }

    private static async Task<int> InvokeAsync(ParseResult parse, CliConsole io, CancellationToken ct)
    {
        bool rootHelp = false;
        if (parse.Action is HelpAction help)
        {
            help.MaxWidth = CliConsole.RedirectedWidth;
            HelpText.ShowTrueDefaults(parse.RootCommandResult.Command);
            rootHelp = parse.CommandResult.Command == parse.RootCommandResult.Command;
        }
        // No default exception handler (failures become one line above) and no termination handler: Program.Main owns Ctrl+C.
        int code = await parse.InvokeAsync(new InvocationConfiguration
        {
            Output = io.Out,
            Error = io.Err,
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = null,
        }, ct);
        // Under the command list, where a reader looks next (the parser's help has no public hook for a closing line).
        if (rootHelp) io.Out.WriteLine(HelpText.Footer);
        return code;
    }

    /// <summary>The first usage problem as one line, in the words the hand-written parser used; null when there is none.</summary>
    public static string? UsageProblem(ParseResult parse)
    {
        string command = parse.CommandResult.Command.Name;
        foreach (var token in parse.Tokens)
        {
            if (token.Type == TokenType.DoubleDash) break;
            // An unknown "--name" is an argument to the parser, so it could bind to a positional (query's SQL): refuse it first.
            if (token.Type == TokenType.Argument && token.Value.Length > 2 && token.Value.StartsWith("--", StringComparison.Ordinal) && char.IsLetter(token.Value[2]))
                return $"unknown option {token.Value.Split('=')[0]} for '{command}'";
        }
        foreach (var option in parse.CommandResult.Children.OfType<OptionResult>())
            if (option.IdentifierTokenCount > 1) return $"option {option.IdentifierToken?.Value ?? option.Option.Name} is given twice";
        if (parse.Errors.Count == 0) return null;
        foreach (var option in parse.CommandResult.Command.Options)
            if (option.Required && parse.GetResult(option) is not OptionResult { Implicit: false }) return $"{command} needs {option.Name} {option.HelpName}".TrimEnd();
        if (parse.UnmatchedTokens.Count > 0) return $"unexpected argument '{parse.UnmatchedTokens[0]}' for '{command}'";
        var first = parse.Errors[0];
        if (first.SymbolResult is OptionResult { Tokens.Count: 0, Implicit: false } missing && missing.Option.Arity.MinimumNumberOfValues > 0)
            return $"{missing.Option.Name} needs a value";
        return first.Message;
    }

    private sealed class PrintVersion(CliConsole io) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            io.Out.WriteLine($"robustcrop {HelpText.Version}");
            return 0;
        }
    }

    private static int Fail(CliConsole io, int code, string message)
    {
        // The message may carry text that is not ours (a native library's, a remote node's, a data key): one clean line.
        io.Err.WriteLine($"robustcrop: {RobustCrop.Core.Text.TerminalText.Clean(message.Split('\n')[0])}");
        return code;
    }
}
