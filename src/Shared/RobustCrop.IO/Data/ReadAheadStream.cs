using System.Threading.Channels;

namespace RobustCrop.IO.Data;

/// <summary>
/// A forward-only stream that keeps reading its source in the background, up to <c>depth</c> chunks ahead of the
/// reader: a tar streamed from Blob storage is fetched while the samples already here are decoded and inferred, instead
/// of the pipeline stalling for each ranged read. A source failure reaches the reader at the point it happened, as the
/// same exception; disposing stops the background reads.
/// </summary>
public sealed class ReadAheadStream : ForwardReadStream
{
    private readonly Stream _source;
    private readonly Channel<Chunk> _chunks;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _pump;
    private Chunk? _current;
    private int _offset;
    private bool _ended;

    /// <param name="chunkSize">Bytes per background read (the source's own ranged-read size fits).</param>
    /// <param name="depth">Chunks held ahead of the reader: the memory bound is about depth + 1 chunks.</param>
    /// <param name="fullChunksUntil">Where the reader is expected to stop (bytes from the start): chunks past it are
    /// <paramref name="smallChunkSize"/>, so a reader that stops near there leaves little fetched for nothing (a shard that
    /// is part of a tar: every chunk is a ranged read, and what runs ahead of the reader's end is paid for and dropped).</param>
    /// <param name="smallChunkSize">Bytes per background read past <paramref name="fullChunksUntil"/>.</param>
    public ReadAheadStream(Stream source, int chunkSize, int depth = 2, long fullChunksUntil = long.MaxValue, int smallChunkSize = 256 << 10)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunkSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(depth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(smallChunkSize);
        _source = source;
        _chunks = Channel.CreateBounded<Chunk>(new BoundedChannelOptions(depth) { SingleReader = true, SingleWriter = true });
        _pump = Task.Run(() => PumpAsync(chunkSize, fullChunksUntil, Math.Min(smallChunkSize, chunkSize)));
    }

    /// <summary>The size of the chunk that starts at <paramref name="position"/>: full ones up to the expected end (the last
    /// one cut to end there), small ones after it.</summary>
    internal static int ChunkAt(long position, int chunkSize, long fullChunksUntil, int smallChunkSize)
        => position >= fullChunksUntil ? smallChunkSize : (int)Math.Clamp(fullChunksUntil - position, smallChunkSize, chunkSize);

    /// <summary>Data (Length bytes of Buffer), or the end (Length 0), or the source's failure.</summary>
    private sealed record Chunk(byte[] Buffer, int Length, Exception? Failure);

    private async Task PumpAsync(int fullSize, long fullChunksUntil, int smallSize)
    {
        var ct = _stop.Token;
        try
        {
            Exception? failure = null;
            long position = 0;
            while (failure is null)
            {
                int chunkSize = ChunkAt(position, fullSize, fullChunksUntil, smallSize);
                var buffer = new byte[chunkSize];
                int filled = 0;
                // Fill the chunk (a source may return short reads) so the reader sees few, large pieces.
                try
                {
                    while (filled < chunkSize)
                    {
                        int n = await _source.ReadAsync(buffer.AsMemory(filled), ct).ConfigureAwait(false);
                        if (n == 0) break;
                        filled += n;
                    }
                }
                catch (Exception e) when (!(e is OperationCanceledException && ct.IsCancellationRequested))
                {
                    failure = e;
                }
                // The bytes read before a failure reach the reader first, then the failure, as the source raised it.
                if (filled > 0) await _chunks.Writer.WriteAsync(new Chunk(buffer, filled, null), ct).ConfigureAwait(false);
                position += filled;
                if (failure is null && filled < chunkSize) break;
            }
            await _chunks.Writer.WriteAsync(new Chunk([], 0, failure), ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Disposed: nobody reads any more.
        }
        finally
        {
            _chunks.Writer.TryComplete();
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty || _ended) return 0;
        if (_current is null || _offset == _current.Length)
        {
            // The tar reader is synchronous; the pump runs on the pool, so waiting here cannot starve it.
            if (!TryNext()) return 0;
        }
        int n = Math.Min(buffer.Length, _current!.Length - _offset);
        _current.Buffer.AsSpan(_offset, n).CopyTo(buffer);
        _offset += n;
        return n;
    }

    private bool TryNext()
    {
        var next = _chunks.Reader.ReadAsync().AsTask().GetAwaiter().GetResult();
        if (next.Failure is { } failure) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        if (next.Length == 0)
        {
            _ended = true;
            return false;
        }
        _current = next;
        _offset = 0;
        return true;
    }


    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _stop.Cancel();
            // Drain so a pump blocked on a full channel sees the cancellation promptly, then wait for it before the source goes.
            while (_chunks.Reader.TryRead(out _)) { }
            try { _pump.Wait(TimeSpan.FromSeconds(10)); } catch (AggregateException) { }
            _source.Dispose();
            _stop.Dispose();
        }
        base.Dispose(disposing);
    }
}
