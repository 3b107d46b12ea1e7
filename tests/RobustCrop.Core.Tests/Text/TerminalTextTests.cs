using RobustCrop.Core.Text;

namespace RobustCrop.Core.Tests.Text;

public sealed class TerminalTextTests
{
    [Theory]
    // ONNX Runtime's coloured log line, as it reached the terminal (issue 23 item 5).
    [InlineData("\u001b[1;31m2026-12-07 [E:onnxruntime:robustcrop, sequential_executor.cc:572] Non-zero status\u001b[m", "2026-12-07 [E:onnxruntime:robustcrop, sequential_executor.cc:572] Non-zero status")]
    [InlineData("a bare \u001b escape", "a bare escape")]
    [InlineData("title \u001b]0;pwned\u0007 set", "title set")]
    [InlineData("title \u001b]0;pwned\u001b\\ set", "title set")]
    [InlineData("cursor \u001b[2J\u001b[H home", "cursor home")]
    [InlineData("8-bit \u009b31m csi", "8-bit csi")]
    [InlineData("key\nrobustcrop: forged line\r", "key robustcrop: forged line")]
    [InlineData("tab\there\u0000nul\u007fdel", "tab here nul del")]
    [InlineData("gnp.\u202Eexe", "gnp. exe")]
    [InlineData("ends in \u001b[", "ends in")]
    [InlineData("", "")]
    [InlineData(null, "")]
    public void Escapes_go_whole_and_control_characters_become_one_space(string? text, string expected) =>
        Assert.Equal(expected, TerminalText.Clean(text));

    [Fact]
    public void Plain_text_of_any_script_is_left_as_it_is()
    {
        const string text = "model resnet18: fooled_1px 9.0% — Ünïcödé 日本語 ≥ τ";
        Assert.Equal(text, TerminalText.Clean(text));
    }
}
