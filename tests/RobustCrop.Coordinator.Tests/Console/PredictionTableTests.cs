using RobustCrop.Coordinator.Console;
using RobustCrop.Core.Results;

namespace RobustCrop.Coordinator.Tests.Console;

public class PredictionTableTests
{
    private static PredictionRow Row(string key, string? label) =>
        new("r", 0, key, label, "m", "standard", 1, null, 0, 0, 0, 0, 0, 0, 2, "Coat", 0.8f, label is null ? null : label == "Coat", "Coat 0.800 | Shirt 0.100 | Bag 0.050");

    [Fact]
    public void A_key_or_label_carrying_escape_sequences_and_newlines_is_printed_as_one_clean_line()
    {
        var output = new StringWriter();
        PredictionTable.PrintLines(output, [Row("photos/\u001b[31mred\u001b[0m\nfake: line.png", "Co\u0007at")], 1, "out/run");
        string text = output.ToString();
        Assert.Single(text.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain(text.TrimEnd('\n'), char.IsControl);
        Assert.StartsWith("photos/red fake: line.png: Coat 80.0% (top-3: Coat 0.800 | Shirt 0.100 | Bag 0.050), label ", text, StringComparison.Ordinal);
    }
}
