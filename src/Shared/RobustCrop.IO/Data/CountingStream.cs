namespace RobustCrop.IO.Data;

/// <summary>A forward-only stream that counts the bytes its reader consumed, from <paramref name="start"/>: a walk of a
/// tar read this way knows where each member header began without the stream being seekable.</summary>
internal sealed class CountingStream(Stream inner, long start) : ForwardReadStream
{
    /// <summary>The offset, in the whole tar, of the next byte the reader will get.</summary>
    public long Consumed { get; private set; } = start;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = inner.Read(buffer);
        Consumed += n;
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Consumed += n;
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
