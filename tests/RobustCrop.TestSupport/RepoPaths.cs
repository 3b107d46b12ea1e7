namespace RobustCrop.TestSupport;

/// <summary>Finds files shipped in the repository, wherever the test binaries were built.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Samples => Path.Combine(Root, "samples");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RobustCrop.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"RobustCrop.sln not found above {AppContext.BaseDirectory}");
    }
}
