using System.Text;

namespace RobustCrop.Core.Text;

/// <summary>
/// Text that is not ours (a remote node's message, a data key, a certificate's subject, a native library's error) made
/// safe for a terminal line: escape sequences removed whole (colour codes, cursor moves, window titles), every other
/// control character and the bidirectional overrides that reorder what is shown replaced by a space, runs of spaces
/// folded. The result is one line, so it cannot forge a line of ours either.
/// </summary>
public static class TerminalText
{
    public static string Clean(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var sb = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '\u001b' || c == '\u009b')
            {
                i = EndOfEscape(text, i);
                continue;
            }
            bool blank = char.IsControl(c) || IsBidiControl(c);
            if (blank) c = ' ';
            if (c == ' ' && (sb.Length == 0 || sb[^1] == ' ')) continue;
            sb.Append(c);
        }
        return sb.ToString().TrimEnd();
    }

    // Bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069): invisible, they reorder the text.
    private static bool IsBidiControl(char c) => c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069';

    /// <summary>The index of the last character of the escape sequence starting at <paramref name="start"/>.</summary>
    private static int EndOfEscape(string s, int start)
    {
        int i = start + 1;
        bool csi = s[start] == '\u009b';
        if (!csi)
        {
            if (i >= s.Length) return start;
            char kind = s[i];
            if (kind == '[') csi = true;
            else if (kind is ']' or 'P' or '_' or '^' or 'X')
            {
                // OSC / DCS / APC / PM / SOS: up to BEL or ESC \ (string terminator), or the end of the text.
                for (i++; i < s.Length; i++)
                {
                    if (s[i] == '\u0007') return i;
                    if (s[i] == '\u001b' && i + 1 < s.Length && s[i + 1] == '\\') return i + 1;
                }
                return s.Length - 1;
            }
            else return i; // a two-character escape (ESC c, ESC 7 ...)
        }
        // CSI: parameter and intermediate bytes (0x20-0x3F), then one final byte (0x40-0x7E).
        for (i = csi && s[start] == '\u001b' ? start + 2 : start + 1; i < s.Length; i++)
        {
            if (s[i] is >= '@' and <= '~') return i;
            if (s[i] is < ' ' or > '?') return i - 1;
        }
        return s.Length - 1;
    }
}
