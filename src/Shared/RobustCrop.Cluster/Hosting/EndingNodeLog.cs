namespace RobustCrop.Cluster.Hosting;

/// <summary>
/// A node's Akka log lines on their way to the host's writer. Once the node's job has ended its peers leave and stop
/// listening, and remoting warns about every connection it then fails to make (<c>AssociationError … Connection
/// refused</c>, <c>Tried to associate with unreachable remote address</c>): expected, not a fault, so from then on those
/// lines are dropped. Everything else passes, and before the end nothing is dropped (a peer lost mid-job is news).
/// </summary>
public sealed class EndingNodeLog(Action<string> writeLine)
{
    // Remoting's phrases for a connection to a peer that is gone (Akka.Remote's EndpointWriter and Remoting).
    private static readonly string[] AssociationPhrases =
    [
        "AssociationError",
        "Tried to associate with unreachable remote address",
        "Association with remote system",
        "Disassociated",
    ];

    private volatile bool _ended;

    /// <summary>The job ended (or the node stops): its peers' departures are expected from now on.</summary>
    public void JobEnded() => _ended = true;

    /// <summary>Thread-safe: called from Akka's logger actor and from the host.</summary>
    public void Write(string line)
    {
        if (_ended && IsAssociationNoise(line)) return;
        writeLine(line);
    }

    /// <summary>An Akka warning (or info) about a failed or lost connection to a peer; errors are never dropped.</summary>
    public static bool IsAssociationNoise(string line)
        => (line.StartsWith("akka warning ", StringComparison.Ordinal) || line.StartsWith("akka info ", StringComparison.Ordinal))
            && AssociationPhrases.Any(p => line.Contains(p, StringComparison.Ordinal));
}
