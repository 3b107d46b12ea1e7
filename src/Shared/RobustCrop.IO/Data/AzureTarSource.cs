using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using RobustCrop.Core.Data;
using RobustCrop.IO.Storage;

namespace RobustCrop.IO.Data;

/// <summary>
/// Tars in an Azure Blob Storage container, as <see cref="AzureTarDataset.Open"/> listed them. A tar is streamed with
/// sequential ranged reads (<see cref="BlobRangeStream"/>, from any member header: a shard that begins mid-tar starts
/// where an earlier walk of the tar found its first sample) kept ahead of the reader by a <see cref="ReadAheadStream"/>,
/// each retried with exponential backoff by the client; a blob that still fails mid-way fails the shard with
/// <see cref="DataSourceException"/>. Planning reads no tar: a tar's samples are known from its img2dataset sidecar or
/// not at all.
/// </summary>
internal sealed class AzureTarSource(BlobContainerClient client, string name, IReadOnlyList<string> tars,
    IReadOnlyDictionary<string, string> blobOf, Func<string, long?> sidecarCount, IReadOnlyList<ListedFile> listed, int bufferSize) : ITarSource
{
    /// <summary>Chunks of a tar fetched ahead of its reader (memory: about this many + 1 buffers per open tar).</summary>
    private const int ReadAheadChunks = 2;

    private readonly Dictionary<string, ListedFile> _listed = tars.Zip(listed).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);

    public string Name => name;

    public IReadOnlyList<string> Tars => tars;

    public bool KeysNameTheTar => true;

    public bool OpensMidTar => true;

    public long? CountSamples(string tar) => sidecarCount(tar);

    public IEnumerable<ListedFile> ListFiles() => listed;

    public Stream Open(string tar) => Open(tar, 0, long.MaxValue);

    public Stream Open(string tar, long offset, long readAheadUntil)
    {
        string container = client.Name, blob = blobOf[tar];
        try
        {
            var file = _listed[tar];
            // The listing's size and ETag: no properties request per shard, and If-Match pins the version planned, so a
            // blob replaced mid-read fails instead of mixing versions. A listing without them reads as the SDK does.
            Stream stream = file.Bytes >= 0 && file.Version.Length > 0
                ? new BlobRangeStream(client.GetBlobClient(blob), offset, file.Bytes, new Azure.ETag(file.Version))
                : OpenWhole(blob, offset);
            // Fetched ahead in the background: the next ranged read overlaps the decoding of this one's samples.
            return new ReadAheadStream(new DataSourceStream(stream, $"az://{container}/{blob}"), bufferSize, ReadAheadChunks,
                readAheadUntil == long.MaxValue ? long.MaxValue : Math.Max(0, readAheadUntil - offset));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new DataSourceException($"cannot read az://{container}/{blob}: {StorageErrors.Describe(e)}", e);
        }
    }

    private Stream OpenWhole(string blob, long offset)
    {
        // allowModifications: false pins the blob's ETag: a blob replaced mid-read fails instead of mixing versions.
        var stream = client.GetBlobClient(blob).OpenRead(new BlobOpenReadOptions(allowModifications: false) { BufferSize = bufferSize, Position = offset });
        return stream;
    }

    /// <summary>A read-only stream whose storage failures become <see cref="DataSourceException"/>, which the tar reader
    /// lets through (it is not a corrupt tar) so the shard fails whole.</summary>
    private sealed class DataSourceStream(Stream inner, string what) : ForwardReadStream
    {
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            try
            {
                return inner.Read(buffer);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new DataSourceException($"{what} failed while read: {StorageErrors.Describe(e)}", e);
            }
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            try
            {
                return await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException && !(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                throw new DataSourceException($"{what} failed while read: {StorageErrors.Describe(e)}", e);
            }
        }


        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
