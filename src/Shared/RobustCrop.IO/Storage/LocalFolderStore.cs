using System.Runtime.CompilerServices;

namespace RobustCrop.IO.Storage;

/// <summary>An <see cref="IResultStore"/> on a local (or mounted) folder.</summary>
public sealed class LocalFolderStore : IResultStore
{
    /// <summary>Marks files still being written; they are never listed and never read as results.</summary>
    internal const string TempMarker = ".tmp-";

    private readonly string _root;

    public LocalFolderStore(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        _root = Path.GetFullPath(root);
    }

    /// <summary>The absolute root folder.</summary>
    public string Root => _root;

    /// <summary>Free space below which <see cref="ProbeAsync"/> refuses the folder: a shard's files must fit.</summary>
    public const long DefaultMinFreeBytes = 256L << 20;

    /// <summary>
    /// Checks at start, before any model is loaded or shard computed, that the folder can take results: it is not a file,
    /// it can be created, a file can be written, renamed and deleted in it, and its volume has at least
    /// <paramref name="minFreeBytes"/> free. Otherwise one line saying which.
    /// </summary>
    /// <exception cref="IOException">The folder cannot take results.</exception>
    public async Task ProbeAsync(CancellationToken ct, long minFreeBytes = DefaultMinFreeBytes)
    {
        if (File.Exists(_root))
            throw new IOException($"--out {_root} is a file, not a folder");
        try
        {
            Directory.CreateDirectory(_root);
            // A name of its own: runs sharing the folder probe at the same time, and one's cleanup must never take another's
            // file (deleting every probe file failed 6 of 20 starts side by side). A probe left by a killed run is a
            // temp-marked name, invisible to listings and readers.
            string probe = $"_probe{TempMarker}{Guid.NewGuid():N}";
            await WriteAsync(probe, s => s.WriteAsync(new byte[1], ct).AsTask(), ct).ConfigureAwait(false);
            File.Delete(FullPath(probe));
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new IOException($"--out {_root} cannot be written: {e.Message}", e);
        }
        long free;
        try
        {
            free = new DriveInfo(_root).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return; // No volume information (some mounts): the writes above are the check.
        }
        if (free < minFreeBytes)
            throw new IOException($"--out {_root} has {free >> 20} MiB free, under the {minFreeBytes >> 20} MiB a run needs");
    }

    public async Task WriteAsync(string relativePath, Func<Stream, Task> writer, CancellationToken cancellationToken = default)
        => await WriteThenMoveAsync(relativePath, writer, overwrite: true, cancellationToken).ConfigureAwait(false);

    /// <summary>The whole file is written beside the target, then linked into place only if the target does not exist
    /// (<see cref="ExclusiveLink"/>: an exclusive create with the content complete, so the loser never reads a
    /// half-written file).</summary>
    public Task<bool> CreateAsync(string relativePath, Func<Stream, Task> writer, CancellationToken cancellationToken = default)
        => WriteThenMoveAsync(relativePath, writer, overwrite: false, cancellationToken);

    private async Task<bool> WriteThenMoveAsync(string relativePath, Func<Stream, Task> writer, bool overwrite, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var full = FullPath(relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        // The temp file sits next to the target so the final move is a rename on one volume (atomic),
        // and a unique name keeps two concurrent attempts of the same shard from sharing a file.
        var temp = $"{full}{TempMarker}{Guid.NewGuid():N}";
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None,
                bufferSize: 1 << 16, FileOptions.Asynchronous);
            await using (stream.ConfigureAwait(false))
            {
                await writer(stream).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            cancellationToken.ThrowIfCancellationRequested();
            if (!overwrite)
            {
                bool created = ExclusiveLink.TryLink(temp, full);
                TryDelete(temp);
                return created;
            }
            File.Move(temp, full, overwrite: true);
            return true;
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    public Task<bool> ExistsAsync(string relativePath, CancellationToken cancellationToken = default)
        => Task.FromResult(File.Exists(FullPath(relativePath)));

    public Task<Stream> OpenReadAsync(string relativePath, CancellationToken cancellationToken = default)
    {
        var full = FullPath(relativePath);
        if (!File.Exists(full))
            throw new FileNotFoundException($"No file '{relativePath}' in {Describe()}.", relativePath);
        Stream stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read,
            bufferSize: 1 << 16, FileOptions.Asynchronous);
        return Task.FromResult(stream);
    }

    public async IAsyncEnumerable<string> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        StorePath.ValidatePrefix(prefix);
        if (!Directory.Exists(_root))
            yield break;
        // Start the walk at the deepest folder the prefix names, so listing one shard's folder does
        // not walk the whole run.
        int slash = prefix.LastIndexOf('/');
        var start = slash < 0 ? _root : Path.Combine(_root, prefix[..slash]);
        if (!Directory.Exists(start))
            yield break;
        var found = new List<string>();
        foreach (var file in Directory.EnumerateFiles(start, "*", SearchOption.AllDirectories))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var rel = Path.GetRelativePath(_root, file).Replace(Path.DirectorySeparatorChar, '/');
            if (rel.StartsWith(prefix, StringComparison.Ordinal) && !IsTemp(rel))
                found.Add(rel);
        }
        found.Sort(StringComparer.Ordinal);
        foreach (var rel in found)
        {
            yield return rel;
        }
        await Task.CompletedTask.ConfigureAwait(false);
    }

    public Task DeleteAsync(string relativePath, CancellationToken cancellationToken = default)
    {
        File.Delete(FullPath(relativePath));
        return Task.CompletedTask;
    }

    public string Describe() => $"local folder {_root}";

    private string FullPath(string relativePath)
        => Path.Combine(_root, StorePath.Validate(relativePath).Replace('/', Path.DirectorySeparatorChar));

    private static bool IsTemp(string relativePath)
    {
        int name = relativePath.LastIndexOf('/') + 1;
        return relativePath.IndexOf(TempMarker, name, StringComparison.Ordinal) >= 0;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp file is invisible to listings and readers.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
