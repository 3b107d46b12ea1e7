namespace RobustCrop.Coordinator.Jobs;

/// <summary>What ships next to the program, so the default job runs from any working directory.</summary>
public static class ShippedFiles
{
    /// <summary>Models shipped with the program ("builtin:" in zoo files).</summary>
    public static string BuiltinModelsDir => Path.Combine(AppContext.BaseDirectory, "models");

    /// <summary>The default zoo.</summary>
    public static string DefaultZoo => Path.Combine(AppContext.BaseDirectory, "zoo", "default.yaml");

    /// <summary>The embedded default data: the sample photos and the Fashion-MNIST subset.</summary>
    public static string DefaultData =>
        string.Join(',', Path.Combine(AppContext.BaseDirectory, "samples", "photos"), Path.Combine(AppContext.BaseDirectory, "samples", "fashion-mnist"));
}
