using RobustCrop.Core.Data;

namespace RobustCrop.IO.Data;

/// <summary>
/// Where a WebDataset's tars come from: a local file, folder or list of files (<see cref="LocalTarSource"/>), blobs in
/// Azure storage (<see cref="AzureTarSource"/>). <see cref="WebDatasetTarDataset"/> does the rest (the walk, grouping,
/// shard ranges), so reading tars from another store (S3, GCS) is one more class implementing this.
/// </summary>
public interface ITarSource
{
    /// <summary>The dataset's name when none is given: the file or folder name, without extension.</summary>
    string Name { get; }

    /// <summary>The tars, unique, in shard order. Shard sources and sample keys are built from these names.</summary>
    IReadOnlyList<string> Tars { get; }

    /// <summary>Whether sample keys name their tar (<c>name/00000/sample</c>: a folder or list of tars) or not (one tar file:
    /// <c>name/sample</c>).</summary>
    bool KeysNameTheTar { get; }

    /// <summary>The samples of a tar where they can be known at planning: an img2dataset sidecar, or a walk over the tar's
    /// headers where reading them is cheap (<see cref="TarWalk.CountSamples"/>). Null when only reading the tar will tell
    /// (the tar is then one shard).</summary>
    long? CountSamples(string tar);

    /// <summary>A fresh stream over a tar, read forward (seekable where the store allows: then a forged header is found
    /// before its data is read, and the walk resynchronises after it).</summary>
    /// <exception cref="IOException">The tar cannot be opened: one error row for its shard.</exception>
    /// <exception cref="UnauthorizedAccessException">Likewise.</exception>
    /// <exception cref="DataSourceException">Storage failed: the shard fails whole, to be read again.</exception>
    Stream Open(string tar);

    /// <summary>Whether <see cref="Open(string, long, long)"/> starts at a byte offset without reading what is before it
    /// (a blob store: ranged reads). A shard that begins mid-tar then starts where an earlier walk of the same tar found its
    /// first sample, instead of reading (and paying for) every byte before it.</summary>
    bool OpensMidTar => false;

    /// <summary>A stream over a tar from <paramref name="offset"/> (0, or a member header a walk of the same tar found),
    /// expected to be read to about <paramref name="readAheadUntil"/> (bytes from the tar's start; long.MaxValue: to its
    /// end), so that a source reading ahead does not fetch far past it.</summary>
    /// <exception cref="NotSupportedException">An offset other than 0 where <see cref="OpensMidTar"/> is false.</exception>
    Stream Open(string tar, long offset, long readAheadUntil)
        => offset == 0 ? Open(tar) : throw new NotSupportedException($"{Name} cannot start a tar mid-way");

    /// <summary>The tars as the store lists them (name, size, modification time or ETag), in shard order.</summary>
    IEnumerable<ListedFile> ListFiles();
}
