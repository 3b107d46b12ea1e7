using System.Text.RegularExpressions;
using RobustCrop.TestSupport;

namespace RobustCrop.Architecture.Tests;

/// <summary>
/// One naming style across the suite: a test's name is the sentence it proves, its words joined by underscores
/// (<c>A_limit_spans_a_folder_of_small_tars</c>). Read from the sources, so every test project is covered, the xunit v3
/// one included, without loading its assembly.
/// </summary>
public partial class TestNamingTests
{
    // First word capitalised (or a number, or an identifier such as ResNet18 or NaN), then words in lower case;
    // identifiers and units (GiB, ONNX, N1, TestKit) may keep their capitals.
    [GeneratedRegex(@"^[A-Z0-9][A-Za-z0-9]*(_[A-Za-z0-9]+)*$")]
    private static partial Regex Shape();

    [GeneratedRegex(@"\[(Fact|Theory|GpuFact|SkippableFact)\b[^\]]*\]\s*(\[[^\]]*\]\s*)*public\s+(async\s+)?(Task|ValueTask|void)\s+([A-Za-z0-9_]+)\s*\(")]
    private static partial Regex TestMethod();

    [Fact]
    public void Every_test_is_named_as_a_sentence_of_words_joined_by_underscores()
    {
        var offenders = new List<string>();
        int tests = 0;
        foreach (var file in Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "tests"), "*.cs", SearchOption.AllDirectories))
        {
            if (file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                || file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)) continue;
            foreach (Match m in TestMethod().Matches(File.ReadAllText(file)))
            {
                tests++;
                string name = m.Groups[5].Value;
                // A sentence has at least two words, most of them in lower case after the first: an identifier the test is
                // about may keep its capitals (One_WorkerFailed_refuses_that_member), words run together may not
                // (MeanColour_OfConstantImage_IsTheConstant).
                string[] words = name.Split('_');
                bool sentence = Shape().IsMatch(name) && words.Length >= 2
                    && 2 * words.Skip(1).Count(w => !char.IsUpper(w[0])) >= words.Length - 1;
                if (!sentence) offenders.Add($"{Path.GetFileName(file)}: {name}");
            }
        }
        Assert.True(tests > 500, $"found only {tests} tests: the scan is broken");
        Assert.True(offenders.Count == 0, "tests not named as sentences:\n" + string.Join("\n", offenders));
    }
}
