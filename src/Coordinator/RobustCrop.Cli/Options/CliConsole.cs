using Spectre.Console;

namespace RobustCrop.Cli.Options;

/// <summary>
/// Where a command writes: plain lines to <see cref="Out"/>, tables to <see cref="Ansi"/> (bound to the same writer),
/// progress and notes to <see cref="Err"/>. Program.Main builds one over the process console; tests build one over
/// their own writers, so commands run in-process side by side.
/// </summary>
public sealed record CliConsole(TextWriter Out, TextWriter Err, IAnsiConsole Ansi, bool ErrIsTerminal)
{
    /// <summary>Whether <see cref="Out"/> is a terminal: tables there, plain lines for logs, pipes and tests.</summary>
    public bool OutIsTerminal { get; init; }

    /// <summary>Logs and pipes report 80 columns, which folds every table cell; this width reads fine in any log viewer.</summary>
    public const int RedirectedWidth = 150;

    /// <param name="outIsTerminal">A terminal keeps its own width and colours; anything else gets plain text at <see cref="RedirectedWidth"/>.</param>
    public static CliConsole Create(TextWriter output, TextWriter error, bool outIsTerminal, bool errIsTerminal)
    {
        var ansi = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
        if (!outIsTerminal) ansi.Profile.Width = Math.Max(ansi.Profile.Width, RedirectedWidth);
        return new CliConsole(output, error, ansi, errIsTerminal) { OutIsTerminal = outIsTerminal };
    }

    /// <summary>Captured output (tests): no terminal on either side.</summary>
    public static CliConsole ForWriters(TextWriter output, TextWriter error)
    {
        // Fixed settings rather than detection: detection reads TERM, so captured text would depend on the shell.
        var ansi = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        ansi.Profile.Width = RedirectedWidth;
        return new CliConsole(output, error, ansi, ErrIsTerminal: false);
    }
}
