using System.Collections.Immutable;
using System.Globalization;

namespace RobustCrop.Core.Data;

/// <summary>
/// Shard lists as img2dataset and webdataset users write them: <c>shards/{00000..09999}.tar</c> (a numeric range,
/// zero-padded to the width of its bounds) and <c>{a,b}</c> (alternatives), expanded left to right, nested allowed.
/// </summary>
public static class BraceExpansion
{
    /// <summary>At most this many names from one pattern: a typo such as {0..999999999} must not exhaust memory.</summary>
    public const int MaxNames = 1_000_000;

    public static bool HasBraces(string pattern) => pattern.Contains('{', StringComparison.Ordinal);

    /// <exception cref="FormatException">An unbalanced brace, a bad range or more than <see cref="MaxNames"/> names (one line).</exception>
    public static ImmutableArray<string> Expand(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var result = ImmutableArray.CreateBuilder<string>();
        Expand(pattern, "", result, pattern);
        return result.ToImmutable();
    }

    /// <summary>Splits a comma-separated list at the commas outside braces: "a/{1..2}.tar,b" → ["a/{1..2}.tar", "b"].</summary>
    public static ImmutableArray<string> SplitTopLevel(string list)
    {
        ArgumentNullException.ThrowIfNull(list);
        var parts = ImmutableArray.CreateBuilder<string>();
        int depth = 0, start = 0;
        for (int i = 0; i < list.Length; i++)
        {
            if (list[i] == '{') depth++;
            else if (list[i] == '}') depth = Math.Max(0, depth - 1);
            else if (list[i] == ',' && depth == 0)
            {
                parts.Add(list[start..i]);
                start = i + 1;
            }
        }
        parts.Add(list[start..]);
        return parts.ToImmutable();
    }

    private static void Expand(string pattern, string prefix, ImmutableArray<string>.Builder result, string whole)
    {
        int open = pattern.IndexOf('{', StringComparison.Ordinal);
        if (open < 0)
        {
            if (pattern.Contains('}', StringComparison.Ordinal)) throw new FormatException($"'{whole}': a '}}' without its '{{'");
            Add(result, prefix + pattern, whole);
            return;
        }
        int close = Matching(pattern, open, whole);
        string head = prefix + pattern[..open], body = pattern[(open + 1)..close], tail = pattern[(close + 1)..];
        foreach (var choice in Choices(body, whole))
            Expand(choice + tail, head, result, whole);
    }

    private static int Matching(string pattern, int open, string whole)
    {
        int depth = 0;
        for (int i = open; i < pattern.Length; i++)
        {
            if (pattern[i] == '{') depth++;
            else if (pattern[i] == '}' && --depth == 0) return i;
        }
        throw new FormatException($"'{whole}': a '{{' without its '}}'");
    }

    // A list, not an iterator: the core stays free of the runtime services a compiler-made iterator calls.
    private static List<string> Choices(string body, string whole)
    {
        var choices = new List<string>();
        int dots = body.IndexOf("..", StringComparison.Ordinal);
        if (dots > 0 && !body.Contains(',', StringComparison.Ordinal) && !body.Contains('{', StringComparison.Ordinal))
        {
            string a = body[..dots], b = body[(dots + 2)..];
            if (!long.TryParse(a, NumberStyles.None, CultureInfo.InvariantCulture, out long from)
                || !long.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out long to))
                throw new FormatException($"'{whole}': {{{body}}} is not a range of whole numbers such as {{00000..09999}}");
            if (to - from >= MaxNames || from - to >= MaxNames)
                throw new FormatException($"'{whole}': {{{body}}} names more than {MaxNames} shards");
            // Zero padding as in bash and braceexpand: to the width of a bound written with a leading zero.
            int width = (a.Length > 1 && a[0] == '0') || (b.Length > 1 && b[0] == '0') ? Math.Max(a.Length, b.Length) : 0;
            long step = from <= to ? 1 : -1;
            for (long v = from; ; v += step)
            {
                choices.Add(v.ToString(new string('0', Math.Max(1, width)), CultureInfo.InvariantCulture));
                if (v == to) return choices;
            }
        }
        choices.AddRange(SplitTopLevel(body));
        return choices;
    }

    private static void Add(ImmutableArray<string>.Builder result, string name, string whole)
    {
        if (result.Count >= MaxNames) throw new FormatException($"'{whole}' names more than {MaxNames} shards");
        result.Add(name);
    }
}
