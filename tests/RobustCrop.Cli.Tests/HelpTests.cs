using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using RobustCrop.Cli.Options;
using RobustCrop.Core.Rics;
using RobustCrop.Core.Settings;

namespace RobustCrop.Cli.Tests;

/// <summary>
/// What a new user reads first (issue 24 item 4): the version, the command list with the way to a command's options, and
/// defaults written as they are typed.
/// </summary>
public sealed partial class HelpTests
{
    [Fact]
    public async Task Version_prints_the_assemblys_version_and_exits_zero()
    {
        var run = await CliHarness.RunAsync("--version");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.Err);
        string line = Assert.Single(run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        string version = typeof(CommandRouter).Assembly.GetName().Version!.ToString(3);
        Assert.StartsWith($"robustcrop {version}", line);
        string info = typeof(CommandRouter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        if (info.Contains('+', StringComparison.Ordinal))
            Assert.Contains($"(commit {info[(info.IndexOf('+', StringComparison.Ordinal) + 1)..][..12]})", line);
    }

    [Fact]
    public async Task Root_help_lists_every_command_and_ends_with_the_way_to_a_commands_options()
    {
        var run = await CliHarness.RunAsync("--help");

        Assert.Equal(0, run.ExitCode);
        var lines = run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var command in CommandRouter.Build(CliConsole.ForWriters(TextWriter.Null, TextWriter.Null)).Subcommands)
            Assert.Contains(lines, l => l.StartsWith(command.Name + " ", StringComparison.Ordinal));
        Assert.Contains("--version", run.Out);
        Assert.Equal(HelpText.Footer, lines[^1]);
        Assert.Contains("'robustcrop help COMMAND'", lines[^1]);
        // A command's own help has no such footer: it is the options already.
        Assert.DoesNotContain(HelpText.Footer, (await CliHarness.RunAsync("help", "evaluate")).Out);
    }

    [Theory]
    [InlineData("evaluate")]
    [InlineData("coordinator")]
    [InlineData("predict")]
    public async Task Help_shows_defaults_as_they_are_typed(string command)
    {
        var help = Flat((await CliHarness.RunAsync("help", command)).Out);

        Assert.Contains("[default: auto]", Row(help, "--batch"));
        Assert.DoesNotContain("[default: 0]", Row(help, "--batch"));
        // The seed in the base _plan.json records it in (RunPlan writes seed={x:x}), accepted back as typed.
        string seed = Defaults.Evaluate.RicsSeed.ToString("x", CultureInfo.InvariantCulture);
        Assert.Contains($"[default: 0x{seed}]", Row(help, "--rics-seed"));
        Assert.Single(DefaultMention().Matches(Row(help, "--threads")));
        Assert.Contains($"here {Environment.ProcessorCount}", Row(help, "--threads"));
    }

    [Fact]
    public async Task Evaluate_help_names_the_score_in_lower_case_and_one_default_for_decode_threads()
    {
        var help = Flat((await CliHarness.RunAsync("help", "evaluate")).Out);

        Assert.Contains("[default: hash]", Row(help, "--rics-score"));
        Assert.DoesNotContain("Hash", Row(help, "--rics-score"));
        string decode = Row(help, "--decode-threads");
        Assert.Single(DefaultMention().Matches(decode));
        Assert.Contains($"[default: cores - 1, here {Defaults.DecodeThreads}]", decode);
    }

    [Fact]
    public void Help_texts_leave_the_values_of_a_real_invocation_alone()
    {
        var root = CommandRouter.Build(CliConsole.ForWriters(TextWriter.Null, TextWriter.Null));
        var parse = root.Parse(["evaluate"]);

        Assert.Equal(RunSettings.AutoBatch, parse.GetValue<int>("--batch"));
        Assert.Equal([RicsScore.Hash], parse.GetValue<IReadOnlyList<RicsScore>>("--rics-score"));
        Assert.Equal(Defaults.Evaluate.RicsSeed, parse.GetValue<ulong>("--rics-seed"));
    }

    [Fact]
    public void Rics_score_all_asks_for_every_realistic_score_the_build_has()
    {
        var root = CommandRouter.Build(CliConsole.ForWriters(TextWriter.Null, TextWriter.Null));
        Assert.Equal(RicsScores.Realistic, root.Parse(["evaluate", "--rics-score", "all"]).GetValue<IReadOnlyList<RicsScore>>("--rics-score"));
        Assert.Equal([RicsScore.Blob, RicsScore.Hash, RicsScore.Dog, RicsScore.Hessian],
            root.Parse(["evaluate", "--rics-score", "blob,all"]).GetValue<IReadOnlyList<RicsScore>>("--rics-score"));
        Assert.Equal("blob", root.Parse(["predict", "--robust", "--score", "blob"]).GetValue<string>("--score"));
    }

    [Theory]
    [InlineData("0x5249435300000001")]
    [InlineData("0X5249435300000001")]
    [InlineData("5929344408171315201")]
    public void The_seed_is_read_in_hex_as_help_and_the_plan_write_it_or_in_decimal(string text)
    {
        var root = CommandRouter.Build(CliConsole.ForWriters(TextWriter.Null, TextWriter.Null));
        var parse = root.Parse(["evaluate", "--rics-seed", text]);

        Assert.Empty(parse.Errors);
        Assert.Equal(RicsSelection.DefaultSeed, parse.GetValue<ulong>("--rics-seed"));
    }

    [Theory]
    [InlineData("0x")]
    [InlineData("0xZZ")]
    [InlineData("-1")]
    [InlineData("0x10000000000000000")]
    public async Task A_seed_that_is_not_a_64_bit_number_is_one_line(string text)
    {
        var run = await CliHarness.RunAsync("evaluate", "--rics-seed", text);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--rics-seed needs a whole number", Assert.Single(run.ErrLines));
    }

    /// <summary>Help with its wrapping undone: one space between words, so a row reads as one line.</summary>
    private static string Flat(string help) => Regex.Replace(help, @"\s+", " ");

    /// <summary>An option's row of a flattened help: from its name to the next option's.</summary>
    private static string Row(string flat, string option)
    {
        int start = flat.IndexOf($" {option} ", StringComparison.Ordinal);
        Assert.True(start >= 0, $"{option} is not in the help");
        int next = flat.IndexOf(" --", start + option.Length + 2, StringComparison.Ordinal);
        return next < 0 ? flat[start..] : flat[start..next];
    }

    [GeneratedRegex(@"default", RegexOptions.IgnoreCase)]
    private static partial Regex DefaultMention();
}
