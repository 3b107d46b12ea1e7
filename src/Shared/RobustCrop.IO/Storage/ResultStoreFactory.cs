namespace RobustCrop.IO.Storage;

/// <summary>Opens the store named by the --out argument.</summary>
public static class ResultStoreFactory
{
    /// <summary>A local path or file:// URI opens a <see cref="LocalFolderStore"/>. az://container/prefix is opened by
    /// the Worker's StoreFactory (Azure Blob Storage stays out of this pure core).</summary>
    public static IResultStore Open(string uri)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(uri);
        if (uri.StartsWith("az://", StringComparison.OrdinalIgnoreCase))
            throw new NotSupportedException("az:// stores are opened by RobustCrop.Worker.Sinks.StoreFactory, not by the local-only ResultStoreFactory");
        if (uri.StartsWith("file://", StringComparison.OrdinalIgnoreCase))
            return new LocalFolderStore(new Uri(uri).LocalPath);
        int scheme = uri.IndexOf("://", StringComparison.Ordinal);
        if (scheme > 0)
            throw new NotSupportedException($"Output scheme '{uri[..scheme]}://' is not supported; use a local path, file:// or az://.");
        return new LocalFolderStore(uri);
    }
}
