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
        Receive<LogEvent>(e =>
        {
            // Akka.Remote's TLS failures span many lines with a stack trace; the node reports one line per refused peer.
            if (tls is not null && tls.TryFold(e.LogSource ?? "", e.Message?.ToString() ?? "")) return;
            writeLine($"akka {LevelName(e.LogLevel())} {e.LogSource}: {e.Message}{(e.Cause is { } c ? " (" + c.GetType().Name + ": " + c.Message + ")" : "")}");
        });
    }

    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.DebugLevel => "debug",
        LogLevel.InfoLevel => "info",
        LogLevel.WarningLevel => "warning",
        _ => "error",
    };
}
