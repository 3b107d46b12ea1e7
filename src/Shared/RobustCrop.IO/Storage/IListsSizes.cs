namespace RobustCrop.IO.Storage;

/// <summary>A stored file's path (relative, '/'-separated) and size in bytes, as a listing returns them.</summary>
public sealed record StoredFile(string Path, long Size);

/// <summary>A store whose listing carries each file's size at no extra request (Blob storage's does), so a reader can tell
/// that a cached copy is current without downloading the file again.</summary>
public interface IListsSizes
{
    /// <summary>As <see cref="IResultStore.ListAsync"/>, with sizes.</summary>
    IAsyncEnumerable<StoredFile> ListWithSizesAsync(string prefix, CancellationToken cancellationToken = default);
}
