using RobustCrop.Coordinator.Console;

namespace RobustCrop.Coordinator.Tests.Console;

/// <summary>Progress counts inputs (images and error rows alike) against the planned inputs, and says so.</summary>
public sealed class RunProgressTests
{
    [Fact]
    public void The_machine_readable_line_counts_inputs_against_the_planned_total()
    {
        var output = new StringWriter();
        var progress = new RunProgress(output, interactive: false, TimeSpan.Zero);

        progress.Start("photos", totalInputs: 12, models: 2);
        progress.Report(inputs: 7, crops: 40);
        progress.Complete();

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("evaluating photos: 12 inputs x 2 model(s)", lines[0]);
        Assert.StartsWith("progress inputs=7 total=12 crops=40 ", lines[1]);
        Assert.StartsWith("progress inputs=12 total=12 crops=40 ", lines[^1]);
        Assert.DoesNotContain(lines, l => l.Contains("images=", StringComparison.Ordinal));
    }

    [Fact]
    public void An_unknown_total_is_a_question_mark_not_a_number()
    {
        var output = new StringWriter();
        new RunProgress(output, interactive: false, TimeSpan.Zero).Start("blobs", totalInputs: 0, models: 1);
        Assert.Equal("evaluating blobs: ? inputs x 1 model(s)", output.ToString().TrimEnd());
    }
}
