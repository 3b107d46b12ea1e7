using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using System.Globalization;
using RobustCrop.Cluster.Hosting.Tls;

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
    string LogLevel,
    int JoinTimeoutSeconds = WorkerNodeOptions.Defaults.JoinTimeoutSeconds,
    int GraceSeconds = WorkerNodeOptions.Defaults.GraceSeconds,
    int MetricsPort = 0,
    string? TlsCert = null,
    string? TlsPeerThumbprint = null,
    int? DecodeThreads = null,
    string MetricsHost = WorkerNodeOptions.Defaults.MetricsHost,
    bool Insecure = false)
{
    /// <summary>Every default of the worker's options; the declarations read them and the help prints them.</summary>
    public static class Defaults
    {
        public const string EnvironmentPrefix = "ROBUSTCROP_";
        public const string Listen = "127.0.0.1:0";
        public const string Device = "cpu";
        public const int Capacity = 1;
        public const string LogLevel = "warning";
        public const string MetricsHost = "127.0.0.1";

        /// <summary>Long enough for a coordinator pod to be scheduled and pull its image; short enough that a typo ends.</summary>
        public const int JoinTimeoutSeconds = 180;

        /// <summary>Hand leases back at once: a shard can take minutes, longer than a pod's termination grace.</summary>
        public const int GraceSeconds = 0;

        /// <summary>The cores shared out between the shards run at once.</summary>
        public static int Threads(int capacity) => Math.Max(1, Environment.ProcessorCount / Math.Max(1, capacity));
    }

    /// <summary>The option declarations, reading unset options from <paramref name="environment"/>.</summary>
    public sealed class Declarations
    {
        private static readonly string[] LogLevels = ["debug", "info", "warning", "error"];

        public Declarations(Func<string, string?> environment)
        {
            string? Env(Option o) => environment(EnvironmentName(o.Name)) is { Length: > 0 } e ? e : null;

            Join = new Option<string?>("--join")
            {
                Description = $"the coordinator's --listen address (required, here or as {EnvironmentName("--join")})",
                HelpName = "HOST:PORT",
                CustomParser = r => HostPort(r, "--join", CliSingle(r), minPort: 1),
            };
            Join.DefaultValueFactory = r => Env(Join) is { } v ? HostPort(r, FromEnvironment("--join"), v, minPort: 1) : null;

            Listen = new Option<string>("--listen") { Description = "where this worker listens (port 0: a free port)", HelpName = "HOST:PORT" };
            Listen.CustomParser = r => HostPort(r, "--listen", CliSingle(r), minPort: 0);
            Listen.DefaultValueFactory = r => Env(Listen) is { } v ? HostPort(r, FromEnvironment("--listen"), v, minPort: 0) : Defaults.Listen;

            PublicHost = new Option<string?>("--public-host") { Description = "the name other machines use to reach this worker (binding stays on --listen's host)", HelpName = "NAME" };
            PublicHost.DefaultValueFactory = _ => Env(PublicHost);

            Device = new Option<string>("--device") { Description = "cpu | cuda | cuda:N | cuda:0,cuda:1,... (one worker, an inference loop, per device)", HelpName = "DEV" };
            Device.CustomParser = r => CheckDevice(r, CliSingle(r));
            Device.DefaultValueFactory = r => Env(Device) is { } v ? CheckDevice(r, v) : Defaults.Device;

            // A shard in flight needs a core of its own for decoding and planning; more at once than cores only queues them.
            Capacity = new Option<int>("--capacity") { Description = "shards run at once (at most the machine's cores)", HelpName = "N" };
            Capacity.CustomParser = r => Int(r, "--capacity", CliSingle(r), 1, Environment.ProcessorCount);
            Capacity.DefaultValueFactory = r => Env(Capacity) is { } v ? Int(r, FromEnvironment("--capacity"), v, 1, Environment.ProcessorCount) : Defaults.Capacity;

            Threads = new Option<int>("--threads") { Description = "ONNX Runtime intra-op threads (default: all cores / capacity)", HelpName = "N" };
            Threads.CustomParser = r => Int(r, "--threads", CliSingle(r), 1, Environment.ProcessorCount);
            Threads.DefaultValueFactory = r => Env(Threads) is { } v ? Int(r, FromEnvironment("--threads"), v, 1, Environment.ProcessorCount) : Defaults.Threads(SafeCapacity(r));

            DecodeThreads = new Option<int>("--decode-threads") { Description = "threads decoding and resizing inputs ahead of inference, per device (default: cores - 1)", HelpName = "N" };
            DecodeThreads.CustomParser = r => Int(r, "--decode-threads", CliSingle(r), 1, Environment.ProcessorCount);
            DecodeThreads.DefaultValueFactory = r => Env(DecodeThreads) is { } v ? Int(r, FromEnvironment("--decode-threads"), v, 1, Environment.ProcessorCount) : Pipeline.PipelineOptions.DefaultDecodeThreads;

            LogLevel = new Option<string>("--log-level") { Description = "debug | info | warning | error", HelpName = "L" };
            LogLevel.CustomParser = r => CheckLogLevel(r, CliSingle(r));
            LogLevel.DefaultValueFactory = r => Env(LogLevel) is { } v ? CheckLogLevel(r, v) : Defaults.LogLevel;

            JoinTimeout = new Option<int>("--join-timeout") { Description = "seconds to look for a coordinator before exiting (status 3)", HelpName = "S" };
            JoinTimeout.CustomParser = r => Int(r, "--join-timeout", CliSingle(r), 1, 86_400);
            JoinTimeout.DefaultValueFactory = r => Env(JoinTimeout) is { } v ? Int(r, FromEnvironment("--join-timeout"), v, 1, 86_400) : Defaults.JoinTimeoutSeconds;

            GraceSeconds = new Option<int>("--grace-seconds") { Description = "on SIGTERM: seconds running shards may finish before their leases are handed back (0: at once)", HelpName = "S" };
            GraceSeconds.CustomParser = r => Int(r, "--grace-seconds", CliSingle(r), 0, 86_400);
            GraceSeconds.DefaultValueFactory = r => Env(GraceSeconds) is { } v ? Int(r, FromEnvironment("--grace-seconds"), v, 0, 86_400) : Defaults.GraceSeconds;

            MetricsPort = new Option<int>("--metrics-port") { Description = "serve Prometheus /metrics on this port (on --metrics-host; 0: none)", HelpName = "N" };
            MetricsPort.CustomParser = r => Int(r, "--metrics-port", CliSingle(r), 0, 65535);
            MetricsPort.DefaultValueFactory = r => Env(MetricsPort) is { } v ? Int(r, FromEnvironment("--metrics-port"), v, 0, 65535) : 0;

            MetricsHost = new Option<string>("--metrics-host") { Description = "the address /metrics binds to; a public host alone does not open it", HelpName = "HOST" };
            MetricsHost.DefaultValueFactory = _ => Env(MetricsHost) ?? Defaults.MetricsHost;

            Insecure = new Option<bool>("--insecure")
            {
                Description = "allow --public-host without --tls-cert: any process that reaches this worker can talk to it (trusted networks only)",
            };
            Insecure.DefaultValueFactory = _ => Env(Insecure) is { } v && v.Equals("true", StringComparison.OrdinalIgnoreCase);

            TlsCert = new Option<string?>("--tls-cert")
            {
                Description = $"PKCS#12 file (this node's certificate and key, and the cluster CA): mutual TLS with the coordinator; password from {ClusterTlsSettings.PasswordVariable}",
                HelpName = "PATH",
            };
            TlsCert.DefaultValueFactory = _ => Env(TlsCert);

            TlsPeerThumbprint = new Option<string?>("--tls-peer-thumbprint")
            {
                Description = "accept only peers whose certificate has one of these SHA-1 or SHA-256 thumbprints, instead of any certificate of the CA",
                HelpName = "HEX,...",
            };
            TlsPeerThumbprint.DefaultValueFactory = _ => Env(TlsPeerThumbprint);

            Command = new RootCommand($"robustcrop-worker: joins a coordinator and pulls shards until the job ends. Every option can also come from the environment: {EnvironmentName("--join")}, {EnvironmentName("--device")}, ...")
            {
                Join, Listen, PublicHost, Device, Capacity, Threads, DecodeThreads, LogLevel, JoinTimeout, GraceSeconds, MetricsPort, MetricsHost, Insecure,
                TlsCert, TlsPeerThumbprint,
            };
            Command.Validators.Add(r =>
            {
                if (r.GetResult(Join) is not OptionResult { Implicit: false } && Env(Join) is null)
                    r.AddError($"--join HOST:PORT is required (the coordinator's --listen address), or {EnvironmentName("--join")}");
                if (r.GetValue(TlsPeerThumbprint) is not null && r.GetValue(TlsCert) is null)
                    r.AddError("--tls-peer-thumbprint needs --tls-cert");
                if (RobustCrop.Cluster.Hosting.PlainMode.PublicWithoutTls(r.GetValue(PublicHost) is not null, r.GetValue(TlsCert) is not null, r.GetValue(Insecure)) is { } refusal)
                    r.AddError(refusal);
            });
        }

        public Option<string?> Join { get; }
        public Option<string> Listen { get; }
        public Option<string?> PublicHost { get; }
        public Option<string> Device { get; }
        public Option<int> Capacity { get; }
        public Option<int> Threads { get; }
        public Option<int> DecodeThreads { get; }
        public Option<string> LogLevel { get; }
        public Option<int> JoinTimeout { get; }
        public Option<int> GraceSeconds { get; }
        public Option<int> MetricsPort { get; }
        public Option<string> MetricsHost { get; }
        public Option<bool> Insecure { get; }
        public Option<string?> TlsCert { get; }
        public Option<string?> TlsPeerThumbprint { get; }
        public RootCommand Command { get; }

        public WorkerNodeOptions Bind(ParseResult p) => new(p.GetValue(Join)!, p.GetValue(Listen)!, p.GetValue(PublicHost), p.GetValue(Device)!,
            p.GetValue(Capacity), p.GetValue(Threads), p.GetValue(LogLevel)!, p.GetValue(JoinTimeout), p.GetValue(GraceSeconds), p.GetValue(MetricsPort),
            p.GetValue(TlsCert), p.GetValue(TlsPeerThumbprint), p.GetValue(DecodeThreads), p.GetValue(MetricsHost)!, p.GetValue(Insecure));

        private int SafeCapacity(ArgumentResult r)
        {
            try { return r.GetValue(Capacity); }
            catch (InvalidOperationException) { return Defaults.Capacity; }
        }

        private static string CheckDevice(ArgumentResult r, string v)
        {
            if (Inference.DeviceSpec.TryParseList(v, out string? error) is null) r.AddError(error!);
            return v;
        }

        private static string CheckLogLevel(ArgumentResult r, string v)
        {
            if (!LogLevels.Contains(v, StringComparer.OrdinalIgnoreCase)) r.AddError($"--log-level must be debug, info, warning or error; got '{v}'");
            return v;
        }
    }

    private static string FromEnvironment(string option) => $"{option} (from {EnvironmentName(option)})";

    /// <summary>"--public-host" → "ROBUSTCROP_PUBLIC_HOST".</summary>
    public static string EnvironmentName(string option) => Defaults.EnvironmentPrefix + option.TrimStart('-').Replace('-', '_').ToUpperInvariant();

    // Neither existed before: '@' must not read a file, "-abc" must not split.
    public static readonly ParserConfiguration Parsing = new() { ResponseFileTokenReplacer = null, EnablePosixBundling = false };

    /// <summary>The options, or an <see cref="ArgumentException"/> whose message is the one line to print.</summary>
    public static WorkerNodeOptions Parse(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        var d = new Declarations(environment);
        var parse = d.Command.Parse(args, Parsing);
        if (UsageProblem(parse) is { } problem) throw new ArgumentException(problem);
        return d.Bind(parse);
    }

    /// <summary>Whether the arguments ask for help (printed by <see cref="WriteHelp"/>).</summary>
    public static bool IsHelp(IReadOnlyList<string> args) => new Declarations(_ => null).Command.Parse(args, Parsing).Action is HelpAction;

    public static void WriteHelp(TextWriter output, Func<string, string?> environment)
    {
        var parse = new Declarations(environment).Command.Parse(["--help"], Parsing);
        if (parse.Action is HelpAction help) help.MaxWidth = 150;
        parse.Invoke(new InvocationConfiguration { Output = output, Error = output, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null });
    }

    /// <summary>The first usage problem as one line; null when there is none.</summary>
    public static string? UsageProblem(ParseResult parse)
    {
        foreach (var token in parse.Tokens)
        {
            if (token.Type == TokenType.DoubleDash) break;
            if (token.Type == TokenType.Argument && token.Value.Length > 2 && token.Value.StartsWith("--", StringComparison.Ordinal) && char.IsLetter(token.Value[2]))
                return $"unknown option {token.Value.Split('=')[0]}";
        }
        foreach (var option in parse.CommandResult.Children.OfType<OptionResult>())
            if (option.IdentifierTokenCount > 1) return $"option {option.IdentifierToken?.Value ?? option.Option.Name} is given twice";
        if (parse.Errors.Count == 0) return null;
        if (parse.UnmatchedTokens.Count > 0) return $"unexpected argument '{parse.UnmatchedTokens[0]}'";
        var first = parse.Errors[0];
        if (first.SymbolResult is OptionResult { Tokens.Count: 0, Implicit: false } missing) return $"{missing.Option.Name} needs a value";
        return first.Message;
    }

    private static string CliSingle(ArgumentResult r) => r.Tokens.Count > 0 ? r.Tokens[^1].Value : "";

    private static string HostPort(ArgumentResult r, string name, string text, int minPort)
    {
        int colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1
            || !int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port < minPort || port > 65535)
            r.AddError($"{name} needs HOST:PORT (port {minPort}-65535); got '{text}'");
        return text;
    }

    private static int Int(ArgumentResult r, string name, string text, int min, int max)
    {
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) || v < min || v > max)
        {
            string why = max == Environment.ProcessorCount ? $" (this machine has {max} cores)" : "";
            r.AddError($"{name} must be a whole number from {min} to {max}{why}; got '{text}'");
        }
        return v;
    }
}
