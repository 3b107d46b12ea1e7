using Akka.Actor;
using Akka.Dispatch;
using Akka.Event;
using RobustCrop.Cluster.Protocol;

namespace RobustCrop.Cluster.Hosting;

/// <summary>
/// Akka's own log on stderr, one line per event: stdout belongs to the command's result (tables, JSON), and the
/// default logger writes there.
/// </summary>
public sealed class StderrLogger : ReceiveActor, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    public StderrLogger()
    {
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
        Receive<LogEvent>(e => Console.Error.WriteLine($"akka {LevelName(e.LogLevel())} {e.LogSource}: {e.Message}{(e.Cause is { } c ? " (" + c.GetType().Name + ": " + c.Message + ")" : "")}"));
    }

    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.DebugLevel => "debug",
        LogLevel.InfoLevel => "info",
        LogLevel.WarningLevel => "warning",
        _ => "error",
    };
}
