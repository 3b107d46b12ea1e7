using System.CommandLine;
using System.Globalization;
using System.Reflection;
using RobustCrop.Core.Rics;
using RobustCrop.Core.Settings;

namespace RobustCrop.Cli.Options;

/// <summary>
/// What the generated help prints beyond the declarations: defaults written the way a user types them (the parser's
/// own rendering shows the stored value: <c>0</c> for <c>--batch auto</c>, <c>Hash</c> for a score), the pointer to
/// per-command help under the command list, and the version.
/// </summary>
public static class HelpText
{
    public const string Footer = "'robustcrop help COMMAND' (or 'robustcrop COMMAND --help') shows a command's options; 'robustcrop --version' the version.";

    /// <summary>The product version as built: the package version and, where the build knew it, the commit.</summary>
    public static string Version
    {
        get
        {
            var assembly = typeof(HelpText).Assembly;
            string? info = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
            if (string.IsNullOrEmpty(info)) return assembly.GetName().Version?.ToString(3) ?? "unknown";
            int plus = info.IndexOf('+', StringComparison.Ordinal);
            if (plus < 0) return info;
            string commit = info[(plus + 1)..];
            return $"{info[..plus]} (commit {commit[..Math.Min(12, commit.Length)]})";
        }
    }

    /// <summary>The hash seed as <c>_plan.json</c> writes it (hex), with the prefix <c>--rics-seed</c> accepts.</summary>
    public static string Seed(ulong seed) => string.Create(CultureInfo.InvariantCulture, $"0x{seed:x}");

    /// <summary>
    /// Rewrites the defaults of a help request's (per-invocation) tree as typed: the parser's help prints a default's
    /// stored value and offers no public way to change that, so the options whose value would mislead carry the text in
    /// their description instead. Only for help: the tree is built anew for every command line.
    /// </summary>
    public static void ShowTrueDefaults(Command root)
    {
        foreach (var command in Commands(root))
        {
            foreach (var option in command.Options)
            {
                if (DefaultText(option) is not { } text) continue;
                option.Description = $"{option.Description} [default: {text}]";
                switch (option)
                {
                    case Option<int> o: o.DefaultValueFactory = null; break;
                    case Option<ulong> o: o.DefaultValueFactory = null; break;
                    case Option<IReadOnlyList<RicsScore>> o: o.DefaultValueFactory = null; break;
                }
            }
        }
    }

    /// <summary>The display text of an option's default where the stored value would mislead; null keeps the parser's.</summary>
    public static string? DefaultText(Option option) => option switch
    {
        Option<int> { Name: "--batch" } o when o.HasDefaultValue && (int)o.GetDefaultValue()! == RunSettings.AutoBatch => "auto",
        Option<int> { Name: "--decode-threads" } o when o.HasDefaultValue => $"cores - 1, here {o.GetDefaultValue()}",
        Option<int> { Name: "--threads" } o when o.HasDefaultValue => $"cores, here {o.GetDefaultValue()}",
        Option<ulong> { Name: "--rics-seed" } o when o.HasDefaultValue => Seed((ulong)o.GetDefaultValue()!),
        Option<IReadOnlyList<RicsScore>> o when o.HasDefaultValue && o.GetDefaultValue() is IEnumerable<RicsScore> scores =>
            string.Join(",", scores.Select(RicsScores.Name)),
        _ => null,
    };

    private static IEnumerable<Command> Commands(Command root)
    {
        yield return root;
        foreach (var sub in root.Subcommands)
        {
            foreach (var c in Commands(sub)) yield return c;
        }
    }
}
