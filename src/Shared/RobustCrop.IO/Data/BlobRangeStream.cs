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
        // The tar reader's synchronous reads come through a ReadAheadStream; this path is for callers without one.
        var rented = new byte[buffer.Length];
        int n = ReadAsync(rented, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        rented.AsSpan(0, n).CopyTo(buffer);
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        long wanted = Math.Min(buffer.Length, length - _position);
        if (wanted <= 0) return 0;
        var options = new BlobDownloadOptions
        {
            Range = new Azure.HttpRange(_position, wanted),
            Conditions = etag is { } e ? new BlobRequestConditions { IfMatch = e } : null,
        };
        var response = await blob.DownloadStreamingAsync(options, cancellationToken).ConfigureAwait(false);
        await using var content = response.Value.Content;
        int filled = 0;
        while (filled < wanted)
        {
            int n = await content.ReadAsync(buffer[filled..(int)wanted], cancellationToken).ConfigureAwait(false);
            if (n == 0) throw new IOException($"{blob.Name}: the service sent {filled} of {wanted} bytes at {_position}");
            filled += n;
        }
        _position += filled;
        return filled;
    }
}
