namespace RobustCrop.IO.Storage;

/// <summary>The output location of runs (a local folder, later Azure Blob Storage).
/// Paths are relative, '/'-separated and validated by <see cref="StorePath"/>.</summary>
public interface IResultStore
{
    /// <summary>Writes a file that becomes visible only once complete, so a reader never sees a partial
    /// file and a retried write replaces the earlier one instead of adding a second.</summary>
    Task WriteAsync(string relativePath, Func<Stream, Task> writer, CancellationToken cancellationToken = default);

    /// <summary>Writes a file only where none exists, in one atomic step with its whole content (a create-only write): of
    /// two writers of one path at the same instant exactly one gets true; the other gets false and writes nothing. Claims
    /// a run id, so two starts of one run cannot both proceed.</summary>
    Task<bool> CreateAsync(string relativePath, Func<Stream, Task> writer, CancellationToken cancellationToken = default);

    Task<bool> ExistsAsync(string relativePath, CancellationToken cancellationToken = default);

    /// <exception cref="FileNotFoundException">No such file.</exception>
    Task<Stream> OpenReadAsync(string relativePath, CancellationToken cancellationToken = default);

    /// <summary>Complete files whose relative path starts with <paramref name="prefix"/> (a plain string
    /// prefix, as in blob storage), '/'-separated and sorted ordinally.</summary>
    IAsyncEnumerable<string> ListAsync(string prefix, CancellationToken cancellationToken = default);

    /// <summary>Deletes the file; a missing file is not an error, so cleanup can be retried.</summary>
    Task DeleteAsync(string relativePath, CancellationToken cancellationToken = default);

    /// <summary>Where the store points, for messages. Never contains secrets.</summary>
    string Describe();
}
