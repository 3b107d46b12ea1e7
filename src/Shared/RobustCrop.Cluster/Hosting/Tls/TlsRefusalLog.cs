using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace RobustCrop.Cluster.Hosting.Tls;

/// <summary>
/// One line per refused peer per minute. A refused handshake reaches the log several ways (this node's validator, then
/// Akka's handler says the handshake failed and again that it rejected the connection, each over several lines with
/// troubleshooting text); they are folded into the first, most precise reason. A peer is its host: every retry comes
/// from a new port, and a prober opening connections in a loop must not write a line per connection; two nodes on one
/// host refused for different reasons (another CA, no TLS) are two lines.
/// </summary>
public sealed partial class TlsRefusalLog(Action<string> writeLine, TimeProvider? time = null)
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _recent = new(StringComparer.Ordinal);
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>An inbound peer (a node that tried to join or talk to this one) was turned away.</summary>
    public void Refused(string peer, string why) => Once(peer, why, $"tls: refused peer {peer}: {why}");

    /// <summary>This node could not open a connection to <paramref name="peer"/> (it turned this node away, or this node
    /// did not trust it).</summary>
    public void OutboundFailed(string peer, string why) => Once(peer, why, $"tls: handshake with {peer} failed: {why}");

    /// <summary>
    /// Whether <paramref name="message"/> is one of Akka.Remote's TLS log lines; when it is, it has been reported (or
    /// folded into an earlier report) and must not be printed as is.
    /// </summary>
    public bool TryFold(string source, string message)
    {
        if (!source.Contains("DotNetty", StringComparison.Ordinal) && !source.Contains("Tcp", StringComparison.Ordinal)) return false;
        if (ChannelLine().Match(message) is { Success: true } m)
        {
            bool client = message.Contains("(Client side)", StringComparison.Ordinal) || source.Contains("TcpClientHandler", StringComparison.Ordinal);
            string why = ErrorLine().Match(message) is { Success: true } e ? Plain(e.Groups["why"].Value.Trim()) : "TLS handshake failed";
            if (client) OutboundFailed(m.Groups["remote"].Value, why);
            else Refused(m.Groups["remote"].Value, why);
            return true;
        }
        if (RejectedLine().Match(message) is { Success: true } r)
        {
            Refused(r.Groups["remote"].Value, "TLS handshake failed");
            return true;
        }
        if (NoCertificateLine().Match(message) is { Success: true } n)
        {
            Refused(n.Groups["remote"].Value, "it presented no client certificate");
            return true;
        }
        return false;
    }

    // DotNetty follows this one with a hex dump of the bytes it got: the cause is what an operator needs.
    private static string Plain(string why) => why.StartsWith("not an SSL/TLS record", StringComparison.Ordinal)
        ? "it does not speak TLS (a node started without --tls-cert?)" : why;

    /// <summary>The host of "host:port" or "[v6]:port" (as Akka and DotNetty write endpoints); the text itself otherwise.</summary>
    public static string HostOf(string endpoint)
    {
        if (endpoint.StartsWith('[') && endpoint.IndexOf(']', StringComparison.Ordinal) is var close and > 0) return endpoint[1..close];
        int colon = endpoint.LastIndexOf(':');
        return colon > 0 && endpoint.IndexOf(':', StringComparison.Ordinal) == colon ? endpoint[..colon] : endpoint;
    }

    /// <summary>
    /// Akka's own words for a handshake that this node's validator (or the other end) refused: said after the precise
    /// reason, so printed only when no line about that host came before it within the window.
    /// </summary>
    private static bool Generic(string why) =>
        why == "TLS handshake failed" || why.Contains("RemoteCertificateValidationCallback", StringComparison.Ordinal);

    /// <summary>Once per host and reason per window (a peer retrying from new ports says the same); a generic reason
    /// once per host.</summary>
    private void Once(string peer, string why, string line)
    {
        var now = _time.GetUtcNow();
        string host = HostOf(peer);
        if (Generic(why) && _recent.TryGetValue(host, out var any) && now - any < Window) return;
        bool fresh = true;
        _recent.AddOrUpdate(host + "\n" + why, now, (_, last) =>
        {
            fresh = now - last >= Window;
            return fresh ? now : last;
        });
        if (!fresh) return;
        _recent[host] = now;
        // A refused peer chose its certificate's subject and issuer: nothing of it may drive the terminal.
        writeLine(RobustCrop.Core.Text.TerminalText.Clean(line));
        // Old entries go, so a long-running coordinator probed from many hosts does not grow without bound.
        if (_recent.Count > 1024)
            foreach (var (k, t) in _recent)
                if (now - t >= Window) _recent.TryRemove(k, out _);
    }

    [GeneratedRegex(@"^TLS (?:handshake failed|exception) on channel \[(?<local>.*?)->(?<remote>.*?)\]\(Id=")]
    private static partial Regex ChannelLine();

    [GeneratedRegex(@"^\s*Error: (?<why>.+)$", RegexOptions.Multiline)]
    private static partial Regex ErrorLine();

    [GeneratedRegex(@"^Rejected incoming connection from \[(?<remote>.*?)\] due to TLS handshake failure")]
    private static partial Regex RejectedLine();

    [GeneratedRegex(@"^Mutual TLS required but client did not provide a certificate from (?<remote>\S+)")]
    private static partial Regex NoCertificateLine();
}
