using System.Collections.Immutable;
using System.Globalization;
using RobustCrop.Cluster.Protocol;
using RobustCrop.Cluster.Hosting;
using RobustCrop.IO;

namespace RobustCrop.Worker.Host;

/// <summary>
/// Typed options of a worker process, from "--name value" arguments, else ROBUSTCROP_NAME environment variables (for
/// containers), else defaults. Unknown options fail: a typo must not start a worker that silently ignores it.
/// </summary>
public sealed record WorkerNodeOptions(
    string Join,
    string Listen,
    string? PublicHost,
    string Device,
    int Capacity,
    int Threads,
    string LogLevel)
{
    private static readonly ImmutableArray<string> Known = ["join", "listen", "public-host", "device", "capacity", "threads", "log-level"];

    public const string Usage = """
        robustcrop-worker --join HOST:PORT [options]
          --join HOST:PORT     the coordinator's --listen address (or ROBUSTCROP_JOIN)
          --listen HOST:PORT   where this worker listens (default 127.0.0.1:0, a free port)
          --public-host NAME   the name other machines use to reach this worker (binding stays on --listen's host)
          --device DEV         cpu | cuda | cuda:N (default cpu)
          --capacity N         shards run at once (default 1)
          --threads N          ONNX Runtime intra-op threads (default: all cores / capacity)
          --log-level L        debug | info | warning | error (default info)
        Every option can also come from the environment: ROBUSTCROP_JOIN, ROBUSTCROP_DEVICE, ...
        """;

    public static WorkerNodeOptions Parse(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        var given = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            if (!a.StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"unexpected argument '{a}'");
            string name = a[2..];
            if (!Known.Contains(name)) throw new ArgumentException($"unknown option --{name}");
            if (i + 1 >= args.Count) throw new ArgumentException($"--{name} needs a value");
            if (!given.TryAdd(name, args[++i])) throw new ArgumentException($"option --{name} is given twice");
        }
        string? Get(string name) => given.TryGetValue(name, out var v) ? v
            : environment("ROBUSTCROP_" + name.Replace('-', '_').ToUpperInvariant()) is { Length: > 0 } e ? e : null;
        int GetInt(string name, int fallback, int min, int max)
        {
            string? s = Get(name);
            if (s is null) return fallback;
            if (!int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) || v < min || v > max)
                throw new ArgumentException($"--{name} must be a whole number from {min} to {max}; got '{s}'");
            return v;
        }

        string join = Get("join") ?? throw new ArgumentException("--join HOST:PORT is required (the coordinator's --listen address)");
        ClusterNodeSettings.ParseHostPort("--join", join);
        string listen = Get("listen") ?? "127.0.0.1:0";
        ClusterNodeSettings.ParseHostPort("--listen", listen);
        int capacity = GetInt("capacity", 1, 1, 64);
        return new WorkerNodeOptions(join, listen, Get("public-host"), Get("device") ?? "cpu", capacity,
            GetInt("threads", Math.Max(1, Environment.ProcessorCount / capacity), 1, 1024), Get("log-level") ?? "info");
    }
}
