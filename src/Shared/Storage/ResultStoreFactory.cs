namespace RobustCrop.Shared.Storage;

/// <summary>Opens the store named by the --out argument.</summary>
public static class ResultStoreFactory
{
    /// <summary>A local path or file:// URI opens a <see cref="LocalFolderStore"/>;
    /// az://container/prefix is recognised but not implemented yet.</summary>
    public static IResultStore Open(string uri)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(uri);
        if (uri.StartsWith("az://", StringComparison.OrdinalIgnoreCase))
            throw new NotSupportedException("az:// output is not available yet");
        if (uri.StartsWith("file://", StringComparison.OrdinalIgnoreCase))
            return new LocalFolderStore(new Uri(uri).LocalPath);
        int scheme = uri.IndexOf("://", StringComparison.Ordinal);
        if (scheme > 0)
            throw new NotSupportedException($"Output scheme '{uri[..scheme]}://' is not supported; use a local path, file:// or az://.");
        return new LocalFolderStore(uri);
    }
}
