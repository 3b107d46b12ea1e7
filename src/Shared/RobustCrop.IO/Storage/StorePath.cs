namespace RobustCrop.IO.Storage;

/// <summary>Validation of store-relative paths. The same rules hold for every store so that a run
/// written locally can be moved to blob storage unchanged, and so that no path escapes the root.</summary>
public static class StorePath
{
    /// <summary>Returns <paramref name="path"/> if it is a relative '/'-separated path without
    /// empty, "." or ".." segments; throws <see cref="ArgumentException"/> otherwise.</summary>
    public static string Validate(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Length == 0)
            throw new ArgumentException("Store path is empty.", nameof(path));
        CheckCharacters(path);
        if (path[0] == '/' || Path.IsPathRooted(path) || (path.Length >= 2 && path[1] == ':'))
            throw new ArgumentException($"Store path must be relative: '{path}'.", nameof(path));
        foreach (var segment in path.Split('/'))
        {
            if (segment.Length == 0 || segment == "." || segment == "..")
                throw new ArgumentException($"Store path has an empty, '.' or '..' segment: '{path}'.", nameof(path));
        }
        return path;
    }

    /// <summary>A listing prefix may be empty or end in '/', but must not climb out of the root.</summary>
    public static string ValidatePrefix(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.Length == 0)
            return prefix;
        CheckCharacters(prefix);
        if (prefix[0] == '/' || Path.IsPathRooted(prefix) || (prefix.Length >= 2 && prefix[1] == ':'))
            throw new ArgumentException($"Store prefix must be relative: '{prefix}'.", nameof(prefix));
        var segments = prefix.Split('/');
        for (int i = 0; i < segments.Length; i++)
        {
            bool last = i == segments.Length - 1;
            if (segments[i] == "." || segments[i] == ".." || (segments[i].Length == 0 && !last))
                throw new ArgumentException($"Store prefix has an empty, '.' or '..' segment: '{prefix}'.", nameof(prefix));
        }
        return prefix;
    }

    private static void CheckCharacters(string path)
    {
        foreach (char c in path)
        {
            // A backslash is a separator on Windows but an ordinary character in blob names; refusing it
            // keeps one path meaning one file everywhere.
            if (c == '\\' || char.IsControl(c))
                throw new ArgumentException($"Store path contains a backslash or control character: '{path}'.", nameof(path));
        }
    }
}
