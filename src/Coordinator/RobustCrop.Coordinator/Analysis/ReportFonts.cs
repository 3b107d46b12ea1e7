using SkiaSharp;

namespace RobustCrop.Coordinator.Analysis;

/// <summary>
/// A font file for text in the plots. The shipped Skia build has no fontconfig (it is the dependency-free native
/// asset), so it cannot find system fonts by family name and would draw every label blank; a file loaded by path
/// works everywhere. Without any font the plots still render, only without text; the HTML page carries every
/// title and number as text anyway.
/// </summary>
public static class ReportFonts
{
    public const string Family = "RobustCrop Sans";

    // ScottPlot keeps its fonts in a plain process-wide list, so the family is added to it exactly once per process
    // (Lazy: thread-safe, concurrent reports wait for the one registration) instead of once per report: the list no
    // longer grows with every report, and nothing else in this process changes it. The font is therefore chosen at
    // the first report (ROBUSTCROP_FONT as set then); a command writes one report.
    private static readonly Lazy<string?> Registered = new(RegisterOnce, LazyThreadSafetyMode.ExecutionAndPublication);

    private static readonly string[] Preferred = ["DejaVuSans.ttf", "LiberationSans-Regular.ttf", "NotoSans-Regular.ttf", "FreeSans.ttf", "Arial.ttf"];

    /// <summary>ROBUSTCROP_FONT when set, else a common sans-serif font from the usual font folders, else any .ttf there.</summary>
    public static string? Find()
    {
        if (Environment.GetEnvironmentVariable("ROBUSTCROP_FONT") is { Length: > 0 } env && File.Exists(env)) return env;
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var dirs = new[] { "/usr/share/fonts", "/usr/local/share/fonts", Path.Combine(home, ".local", "share", "fonts"), Path.Combine(home, ".fonts") }
            .Where(Directory.Exists).ToArray();
        var files = dirs.SelectMany(d => SafeFiles(d)).ToList();
        foreach (var name in Preferred)
            if (files.FirstOrDefault(f => string.Equals(Path.GetFileName(f), name, StringComparison.OrdinalIgnoreCase)) is { } hit) return hit;
        return files.Where(f => f.EndsWith(".ttf", StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal).FirstOrDefault();
    }

    /// <summary>Makes sure the font is registered with ScottPlot under <see cref="Family"/> and returns a typeface of it
    /// for direct Skia drawing (the caller's to dispose), or null when there is none.</summary>
    public static SKTypeface? Register()
    {
        if (Registered.Value is not { } file) return null;
        var typeface = SKTypeface.FromFile(file);
        if (typeface is null || typeface.GlyphCount == 0)
        {
            typeface?.Dispose();
            return null;
        }
        return typeface;
    }

    private static string? RegisterOnce()
    {
        string? file = Find();
        if (file is null) return null;
        using (var probe = SKTypeface.FromFile(file))
            if (probe is null || probe.GlyphCount == 0) return null;
        ScottPlot.Fonts.AddFontFile(Family, file, bold: false);
        ScottPlot.Fonts.AddFontFile(Family, file, bold: true);
        return file;
    }

    private static IEnumerable<string> SafeFiles(string dir)
    {
        try { return Directory.EnumerateFiles(dir, "*.*", SearchOption.AllDirectories).Where(f => f.EndsWith(".ttf", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".otf", StringComparison.OrdinalIgnoreCase)).ToList(); }
        catch (UnauthorizedAccessException) { return []; }
        catch (IOException) { return []; }
    }
}
