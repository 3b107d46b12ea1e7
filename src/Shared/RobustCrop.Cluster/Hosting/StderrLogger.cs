using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Dispatch;
using Akka.Event;
using RobustCrop.Cluster.Hosting.Tls;

namespace RobustCrop.Cluster.Hosting;

/// <summary>
/// Where a node's Akka log lines go, given by the host (both hosts pass stderr: stdout belongs to the command's result,
/// tables and JSON, and Akka's default logger writes there). Carried as an ActorSystem setup because Akka creates its
/// loggers itself, by type, with no constructor arguments.
/// </summary>
public sealed class NodeLogSetup(Action<string> writeLine, TlsRefusalLog? tlsRefusals = null) : Setup
{
    public Action<string> WriteLine { get; } = writeLine;

    /// <summary>Where Akka.Remote's TLS failures are folded into one line per peer; null without TLS.</summary>
    public TlsRefusalLog? TlsRefusals { get; } = tlsRefusals;
}

/// <summary>
/// Akka's own log, one line per event, to the node's <see cref="NodeLogSetup"/> (nowhere without one: library code
/// never picks the console itself).
/// </summary>
public sealed class StderrLogger : ReceiveActor, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    public StderrLogger()
    {
        var setup = Context.System.Settings.Setup.Get<NodeLogSetup>();
        Action<string> writeLine = setup.HasValue ? setup.Value.WriteLine : _ => { };
        var tls = setup.HasValue ? setup.Value.TlsRefusals : null;
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
        // One line per event, whatever Akka puts in it: a message or cause that carries a stack trace or a dump (a worker
        // that died mid-connection) keeps its first line, so an ordinary failure costs the operator one line.
        Receive<LogEvent>(e =>
        {
            // Akka.Remote's TLS failures span many lines with a stack trace; the node reports one line per refused peer.
            if (tls is not null && tls.TryFold(e.LogSource ?? "", e.Message?.ToString() ?? "")) return;
            // Messages quote what remote nodes sent (addresses, ids, reasons): cleaned of anything that drives a terminal.
            writeLine(Core.Text.TerminalText.Clean(
                $"akka {LevelName(e.LogLevel())} {e.LogSource}: {FirstLine(e.Message?.ToString())}{(e.Cause is { } c ? " (" + c.GetType().Name + ": " + FirstLine(c.Message) + ")" : "")}"));
        });
    }

    public static string FirstLine(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        int end = text.IndexOfAny(['\r', '\n']);
        return end < 0 ? text : text[..end].TrimEnd() + " …";
    }

    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.DebugLevel => "debug",
        LogLevel.InfoLevel => "info",
        LogLevel.WarningLevel => "warning",
        _ => "error",
    };
}
