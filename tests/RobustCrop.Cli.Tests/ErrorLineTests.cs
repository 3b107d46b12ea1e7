namespace RobustCrop.Cli.Tests;

/// <summary>The one error line is clean whatever it quotes (issue 23 item 5): no escape sequence, no second line.</summary>
public sealed class ErrorLineTests
{
    [Fact]
    public async Task A_failure_quoting_hostile_text_is_one_line_without_control_characters()
    {
        string hostile = Path.Combine(Path.GetTempPath(), "robustcrop-no-such\u001b[2J\u001b]0;title\u0007\nrobustcrop: forged");

        var run = await CliHarness.RunAsync("evaluate", "--data", hostile, "--out", Path.Combine(Path.GetTempPath(), "robustcrop-unused-out"));

        Assert.NotEqual(0, run.ExitCode);
        string line = Assert.Single(run.ErrLines, l => l.StartsWith("robustcrop: ", StringComparison.Ordinal));
        Assert.DoesNotContain(line, c => char.IsControl(c));
        Assert.DoesNotContain("[2J", line);
        Assert.DoesNotContain("title", line);
        Assert.Contains("robustcrop-no-such", line);
    }
}
