using RobustCrop.Cluster.Protocol;

namespace RobustCrop.Coordinator.Scheduling;

/// <summary>
/// The form a worker id must have. Ids are chosen by the sender and key the singleton's state, its log lines, metric
/// labels and the status page: bounded length and a plain alphabet keep all of those bounded and safe to print.
/// </summary>
public static class WorkerIds
{
    /// <summary>Null when the id is acceptable, else the one-line reason (without the id itself, which may be huge).</summary>
    public static string? Problem(WorkerId id, int maxLength)
    {
        var value = id.Value ?? "";
        if (value.Length == 0 || value.Length > maxLength)
            return $"a worker id of {value.Length} characters (1 to {maxLength} are accepted)";
        foreach (char c in value)
            if (!IsAllowed(c)) return $"a worker id with the character U+{(int)c:X4} (letters, digits and . _ - : @ are accepted)";
        return null;
    }

    /// <summary>At most <paramref name="length"/> characters of a sender's text, anything outside the alphabet as '?'.</summary>
    public static string Shown(string value, int length)
    {
        var head = value.Length > length ? value[..length] : value;
        var chars = head.Select(c => IsAllowed(c) || c == '/' ? c : '?').ToArray();
        return new string(chars) + (value.Length > length ? "…" : "");
    }

    /// <summary>A reason a worker sent, as one line: control characters (newlines, escapes) become spaces, at most 500 characters.</summary>
    public static string OneLine(string? reason)
    {
        var text = reason ?? "";
        if (text.Length > 500) text = text[..500] + "…";
        return string.Create(text.Length, text, (span, t) =>
        {
            for (int i = 0; i < t.Length; i++) span[i] = char.IsControl(t[i]) ? ' ' : t[i];
        });
    }

    private static bool IsAllowed(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or ':' or '@';
}
