using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using RobustCrop.Core.Settings;
using RobustCrop.Core.Results;
using RobustCrop.Core.Rics;
using RobustCrop.Worker.Inference;

namespace RobustCrop.Cli.Options;

/// <summary>
/// Typed options that check their value where they are declared: a bad value is one parse error (exit 2) naming the
/// option, never a run that starts and dies later. Defaults come from <see cref="Defaults"/> and show in the help.
/// </summary>
public static class CliOptions
{
    public static Option<string> String(string name, string description, string? defaultValue = null, string helpName = "VALUE", bool required = false)
    {
        var o = new Option<string>(name) { Description = description, HelpName = helpName, Required = required };
        if (defaultValue is not null) o.DefaultValueFactory = _ => defaultValue;
        return o;
    }

    public static Option<bool> Flag(string name, string description) => new(name) { Description = description };

    public static Option<int> Int(string name, string description, int? defaultValue, int min, int max, string helpName = "N")
    {
        var o = new Option<int>(name) { Description = description, HelpName = helpName, CustomParser = r => ParseInt(r, name, min, max) };
        if (defaultValue is int d) o.DefaultValueFactory = _ => d;
        return o;
    }

    /// <summary>At most the machine's cores: more intra-op threads than cores only makes every thread wait (one image once took over 5 minutes).</summary>
    public static Option<int> Threads(string description = "ONNX Runtime intra-op threads") => AtMostCores("--threads", description, Defaults.Threads);

    /// <summary>At most the machine's cores, like --threads: decoders past the cores decode no faster, and each holds its
    /// images and scratch (1,024 took 6.0 GB at peak against 1.07 GB with 1).</summary>
    public static Option<int> DecodeThreads() => AtMostCores("--decode-threads",
        "threads decoding and resizing inputs ahead of inference, per worker", Defaults.DecodeThreads);

    private static Option<int> AtMostCores(string name, string description, int defaultValue) => new(name)
    {
        Description = description,
        HelpName = "N",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = r =>
        {
            int v = ParseInt(r, name, 1, int.MaxValue);
            if (v > Environment.ProcessorCount) r.AddError($"{name} {v}: this machine has {Environment.ProcessorCount} cores; give at most {Environment.ProcessorCount}");
            return v;
        },
    };

    /// <summary>A size, or "auto" (0, <see cref="RunSettings.AutoBatch"/>): measured per model on CUDA, the fixed default on a CPU.</summary>
    public static Option<int> Batch() => new("--batch")
    {
        Description = $"crops per inference call, 1-4096, or auto: on CUDA the largest power of two before the latency scales linearly (measured at start-up and logged), {RunSettings.DefaultBatch} on a CPU",
        HelpName = "N|auto",
        DefaultValueFactory = _ => Defaults.Batch,
        CustomParser = r => Single(r).Trim().Equals("auto", StringComparison.OrdinalIgnoreCase) ? RunSettings.AutoBatch : ParseInt(r, "--batch", 1, 4096),
    };

    public static Option<string> Device() => new("--device")
    {
        Description = "cpu | cuda | cuda:N; CUDA falls back to CPU with a one-line notice",
        HelpName = "DEV",
        DefaultValueFactory = _ => Defaults.Device,
        CustomParser = r =>
        {
            string v = Single(r);
            if (!DeviceSpec.TryParse(v, out _)) r.AddError($"invalid device '{v}': expected cpu, cuda or cuda:N");
            return v;
        },
    };

    /// <summary>The devices of a job's local workers: one, or a list of CUDA devices shared out between the workers.</summary>
    public static Option<string> Devices() => new("--device")
    {
        Description = "cpu | cuda | cuda:N | cuda:0,cuda:1,... (local workers take the devices in turn: one inference loop per device and worker); CUDA falls back to CPU with a one-line notice",
        HelpName = "DEV",
        DefaultValueFactory = _ => Defaults.Device,
        CustomParser = r =>
        {
            string v = Single(r);
            if (DeviceSpec.TryParseList(v, out string? error) is null) r.AddError(error!);
            return v;
        },
    };

    /// <summary>A run id names a folder or blob prefix. No declared default: a fresh id is made when none is given (see callers), so help does not print one.</summary>
    public static Option<string> RunId(string description) => new("--run-id")
    {
        Description = description,
        HelpName = "ID",
        CustomParser = r =>
        {
            string v = Single(r);
            if (!RunLayout.IsValidId(v)) r.AddError($"--run-id '{v}' may hold only letters, digits, '-', '_' and '.'");
            return v;
        },
    };

    /// <summary>(0, 1]: a cosine threshold of 0 or below marks nothing changed, and NaN reached the summary's JSON writer only after every shard ran.</summary>
    public static Option<IReadOnlyList<double>> Tau() => new("--tau")
    {
        Description = "changed_1px threshold(s) on cosine_1px_min, in (0, 1]; a list (0.99,0.95,0.9) reports changed_1px at each, the first in changed_1px",
        HelpName = "T[,T...]",
        DefaultValueFactory = _ => [Defaults.Evaluate.Tau],
        CustomParser = r =>
        {
            var taus = new List<double>();
            foreach (var s in Single(r).Split(',', StringSplitOptions.TrimEntries))
            {
                if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
                {
                    r.AddError($"--tau needs finite numbers in (0, 1]; got '{s}'");
                    return taus;
                }
                if (!(v > 0 && v <= 1))
                {
                    r.AddError($"--tau must be in (0, 1]; got {s}");
                    return taus;
                }
                if (!taus.Contains(v)) taus.Add(v);
            }
            return taus;
        },
    };

    /// <summary>Odd RICS windows, each once, in the order given.</summary>
    public static Option<IReadOnlyList<int>> RicsWindows(string description) => new("--rics")
    {
        Description = description,
        HelpName = "N1,N2,...",
        CustomParser = r =>
        {
            var windows = new List<int>();
            foreach (var part in Single(r).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) || n < 1 || n % 2 == 0 || n > 255)
                {
                    r.AddError($"--rics takes odd window sizes from 1 to 255; got '{part}'");
                    return windows;
                }
                if (!windows.Contains(n)) windows.Add(n);
            }
            if (windows.Count == 0) r.AddError("--rics needs at least one odd window size");
            return windows;
        },
    };

    public static Option<int> OddWindow(string name, string description, int defaultValue) => new(name)
    {
        Description = description,
        HelpName = "N",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = r =>
        {
            int v = ParseInt(r, name, 1, 255);
            if (v % 2 == 0) r.AddError($"{name} must be odd; got {v}");
            return v;
        },
    };

    public static Option<IReadOnlyList<RicsScore>> RicsScoreList(string name, string description, string defaultValue) => new(name)
    {
        Description = description,
        HelpName = "S,...",
        DefaultValueFactory = _ => ParseScores(defaultValue, null, name),
        CustomParser = r => ParseScores(Single(r), r, name),
    };

    public static Option<IReadOnlyList<RicsMode>> RicsModeList(string name, string description, string defaultValue) => new(name)
    {
        Description = description,
        HelpName = "M,...",
        DefaultValueFactory = _ => RicsMode.ParseList(defaultValue),
        CustomParser = r =>
        {
            try { return RicsMode.ParseList(Single(r)); }
            catch (ArgumentException e)
            {
                r.AddError($"{name}: {e.Message}");
                return [];
            }
        },
    };

    public static Option<RicsMode> RicsModeOne(string name, string description, string defaultValue) => new(name)
    {
        Description = description,
        HelpName = "M",
        DefaultValueFactory = _ => RicsMode.Parse(defaultValue),
        CustomParser = r =>
        {
            try { return RicsMode.Parse(Single(r)); }
            catch (ArgumentException e)
            {
                r.AddError($"{name}: {e.Message}");
                return RicsMode.Select;
            }
        },
    };

    public static Option<ulong> RicsSeed() => new("--rics-seed")
    {
        Description = "seed of the hash score, hex (0x..., as _plan.json writes it) or decimal; fixed by default, so runs are reproducible",
        HelpName = "N",
        DefaultValueFactory = _ => Defaults.Evaluate.RicsSeed,
        CustomParser = r =>
        {
            string s = Single(r).Trim();
            bool hex = s.StartsWith("0x", StringComparison.OrdinalIgnoreCase);
            if (!ulong.TryParse(hex ? s[2..] : s, hex ? NumberStyles.AllowHexSpecifier : NumberStyles.None, CultureInfo.InvariantCulture, out ulong v))
                r.AddError($"--rics-seed needs a whole number, decimal or 0x-prefixed hex; got '{s}'");
            return v;
        },
    };

    /// <summary>One of <paramref name="allowed"/>, compared ignoring case, kept as given.</summary>
    public static Option<string> OneOf(string name, string description, string defaultValue, string helpName, params string[] allowed) => new(name)
    {
        Description = description + " (" + string.Join(" | ", allowed) + ")",
        HelpName = helpName,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = r =>
        {
            string v = Single(r);
            if (!allowed.Contains(v, StringComparer.OrdinalIgnoreCase))
                r.AddError(allowed.Length == 1 ? $"{name} {v}: only {allowed[0]} is supported here"
                    : $"{name} must be {string.Join(", ", allowed[..^1])} or {allowed[^1]}; got '{v}'");
            return v;
        },
    };

    /// <summary>HOST:PORT; <paramref name="allowAnyPort"/> admits port 0 (a free port), which no one else could dial.</summary>
    public static Option<string> HostPort(string name, string description, string? defaultValue, bool allowAnyPort, bool required = false)
    {
        var o = new Option<string>(name)
        {
            Description = description,
            HelpName = "HOST:PORT",
            Required = required,
            CustomParser = r =>
            {
                string v = Single(r);
                string? error = CheckHostPort(name, v, allowAnyPort);
                if (error is not null) r.AddError(error);
                return v;
            },
        };
        if (defaultValue is not null) o.DefaultValueFactory = _ => defaultValue;
        return o;
    }

    public static string? CheckHostPort(string name, string text, bool allowAnyPort)
    {
        int colon = text.LastIndexOf(':');
        int min = allowAnyPort ? 0 : 1;
        if (colon <= 0 || colon == text.Length - 1
            || !int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port < min || port > 65535)
            return $"{name} needs HOST:PORT (port {min}-65535); got '{text}'";
        return null;
    }

    /// <summary>The value of an option, or null where its own parser refused it (that error is reported already).</summary>
    public static bool TryGet<T>(this SymbolResult result, Option<T> option, out T value)
    {
        try
        {
            value = result.GetValue(option)!;
            return result.GetResult(option) is not OptionResult { Errors: var e } || !e.Any();
        }
        catch (InvalidOperationException)
        {
            value = default!;
            return false;
        }
    }

    /// <summary>Whether the user gave the option (rather than its default applying).</summary>
    public static bool Given(this ParseResult result, Option option) => result.GetResult(option) is { Implicit: false };

    public static bool Given(this SymbolResult result, Option option) => result.GetResult(option) is OptionResult { Implicit: false };

    private static IReadOnlyList<RicsScore> ParseScores(string text, ArgumentResult? r, string name)
    {
        var list = new List<RicsScore>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            try { list.AddRange(RicsScores.ParseOneOrAll(part)); }
            catch (ArgumentException e)
            {
                r?.AddError($"{name}: {e.Message}");
                return list;
            }
        }
        if (list.Count == 0) r?.AddError($"{name} needs at least one score");
        return list.Distinct().ToList();
    }

    internal static string Single(ArgumentResult r) => r.Tokens.Count > 0 ? r.Tokens[^1].Value : "";

    internal static int ParseInt(ArgumentResult r, string name, int min, int max)
    {
        string s = Single(r);
        if (!int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v))
        {
            r.AddError($"{name} needs a whole number; got '{s}'");
            return 0;
        }
        if (v < min || v > max) r.AddError(max == int.MaxValue ? $"{name} must be at least {min}; got {v}" : $"{name} must be between {min} and {max}; got {v}");
        return v;
    }
}
