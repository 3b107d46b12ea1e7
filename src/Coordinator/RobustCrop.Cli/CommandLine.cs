using System.Globalization;

namespace RobustCrop.Cli;

/// <summary>A bad argument: the message is the one line printed before a non-zero exit.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>
/// "--name value" and "--flag" options after a command word. Every option must be declared by the command that reads
/// it (<see cref="ThrowOnUnused"/>), so a typo fails loudly instead of silently running the default job.
/// </summary>
public sealed class CommandLine
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    private CommandLine(string command, List<string> positional)
    {
        Command = command;
        Positional = positional;
    }

    public string Command { get; }
    public IReadOnlyList<string> Positional { get; }

    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        if (args.Count == 0) throw new UsageException("no command given; try 'robustcrop help'");
        var cl = new CommandLine(args[0], []);
        for (int i = 1; i < args.Count; i++)
        {
            string a = args[i];
            if (a.StartsWith("--", StringComparison.Ordinal))
            {
                string name = a[2..];
                string? value = null;
                int eq = name.IndexOf('=');
                if (eq >= 0) { value = name[(eq + 1)..]; name = name[..eq]; }
                else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal)) value = args[++i];
                if (!cl._options.TryAdd(name, value)) throw new UsageException($"option --{name} is given twice");
            }
            else ((List<string>)cl.Positional).Add(a);
        }
        return cl;
    }

    public bool Flag(string name) => OptionalFlag(name) ?? false;

    /// <summary>null when the flag is absent, so a command can choose a default that depends on other options.</summary>
    public bool? OptionalFlag(string name)
    {
        _used.Add(name);
        if (!_options.TryGetValue(name, out var v)) return null;
        return v is null || v is "true" or "1" or "yes"
            ? true
            : v is "false" or "0" or "no" ? false : throw new UsageException($"--{name} is a flag; got '{v}'");
    }

    public string? String(string name)
    {
        _used.Add(name);
        if (!_options.TryGetValue(name, out var v)) return null;
        return v ?? throw new UsageException($"--{name} needs a value");
    }

    public string String(string name, string fallback) => String(name) ?? fallback;

    public int Int(string name, int fallback, int min = int.MinValue, int max = int.MaxValue)
    {
        string? s = String(name);
        if (s is null) return fallback;
        if (!int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v)) throw new UsageException($"--{name} needs a whole number; got '{s}'");
        if (v < min || v > max) throw new UsageException($"--{name} must be between {min} and {max}; got {v}");
        return v;
    }

    public double Double(string name, double fallback, double min, double max)
    {
        string? s = String(name);
        if (s is null) return fallback;
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v)) throw new UsageException($"--{name} needs a number; got '{s}'");
        if (v < min || v > max) throw new UsageException($"--{name} must be between {min} and {max}; got {v}");
        return v;
    }

    /// <param name="positionals">How many leading positional arguments the command reads (e.g. the SQL of <c>query</c>).</param>
    public void ThrowOnUnused(int positionals = 0)
    {
        var unknown = _options.Keys.Where(k => !_used.Contains(k)).ToList();
        if (unknown.Count > 0) throw new UsageException($"unknown option --{unknown[0]} for '{Command}'");
        if (Positional.Count > positionals) throw new UsageException($"unexpected argument '{Positional[positionals]}' for '{Command}'");
    }
}
