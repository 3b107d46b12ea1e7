using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace RobustCrop.IO.Data;

/// <summary>
/// A blob read forward from a byte offset, one ranged Get Blob per read call, straight into the caller's buffer. Under a
/// <see cref="ReadAheadStream"/> every chunk is one request of the chunk's size. Compared with the SDK's
/// <c>OpenRead</c> stream it starts anywhere (a shard that begins mid-tar, at a member header an earlier walk found),
/// sends no properties request first (size and ETag come from the listing), and copies each byte once instead of
/// through a buffer of its own. <c>If-Match</c> on the listed ETag pins the blob: one replaced mid-read fails (412)
/// instead of mixing versions. The SDK retries each request and resumes a body cut short.
/// </summary>
internal sealed class BlobRangeStream(BlobClient blob, long offset, long length, ETag? etag) : ForwardReadStream
{
    private long _position = offset;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        // The tar reader's reads come through a ReadAheadStream, which reads asynchronously; this is for callers without one.
        int wanted = Wanted(buffer.Length);
        if (wanted == 0) return 0;
        using var content = blob.DownloadStreaming(Request(wanted)).Value.Content;
        int filled = 0;
        while (filled < wanted) filled = Advance(filled, content.Read(buffer[filled..wanted]), wanted);
        _position += filled;
        return filled;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int wanted = Wanted(buffer.Length);
        if (wanted == 0) return 0;
        var response = await blob.DownloadStreamingAsync(Request(wanted), cancellationToken).ConfigureAwait(false);
        await using var content = response.Value.Content;
        int filled = 0;
        while (filled < wanted) filled = Advance(filled, await content.ReadAsync(buffer[filled..wanted], cancellationToken).ConfigureAwait(false), wanted);
        _position += filled;
        return filled;
    }

    private int Wanted(int room) => (int)Math.Max(0, Math.Min(room, length - _position));

    private BlobDownloadOptions Request(int wanted) => new()
    {
        Range = new HttpRange(_position, wanted),
        Conditions = etag is { } e ? new BlobRequestConditions { IfMatch = e } : null,
    };

    private int Advance(int filled, int read, int wanted) =>
        read > 0 ? filled + read : throw new IOException($"{blob.Name}: the service sent {filled} of {wanted} bytes at {_position}");
}
