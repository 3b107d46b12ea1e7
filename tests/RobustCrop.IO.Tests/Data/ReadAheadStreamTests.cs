using RobustCrop.IO.Data;

namespace RobustCrop.IO.Tests.Data;

public sealed class ReadAheadStreamTests
{
    /// <summary>A source that returns at most <c>piece</c> bytes per read, counts what was taken from it, and can fail
    /// once <c>failAfter</c> bytes were read.</summary>
    private sealed class Source(byte[] data, int piece, long failAfter = long.MaxValue) : ForwardReadStream
    {
        private long _position;

        public long Taken => Interlocked.Read(ref _position);

        public bool Disposed { get; private set; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_position >= failAfter) throw new IOException("connection reset by peer");
            int n = (int)Math.Min(Math.Min(count, piece), Math.Min(data.Length, failAfter) - _position);
            Array.Copy(data, _position, buffer, offset, n);
            Interlocked.Add(ref _position, n);
            return n;
        }

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }

    }

    private static byte[] Random(int length)
    {
        var data = new byte[length];
        new Random(7).NextBytes(data);
        return data;
    }

    [Fact]
    public void Every_byte_arrives_in_order_from_a_source_of_short_reads()
    {
        var data = Random(1_000_003);
        using var stream = new ReadAheadStream(new Source(data, piece: 997), chunkSize: 64 << 10);
        using var copy = new MemoryStream();
        stream.CopyTo(copy, 4096);
        Assert.Equal(data, copy.ToArray());
        Assert.Equal(0, stream.Read(new byte[10]));
    }

    [Fact]
    public void It_reads_ahead_of_the_reader_but_no_more_than_its_depth_allows()
    {
        var source = new Source(Random(100_000), piece: 1000);
        using var stream = new ReadAheadStream(source, chunkSize: 1000, depth: 2);
        Assert.Equal(10, stream.Read(new byte[10]));
        // The reader holds one chunk, the channel two, the pump one more while it waits for room: 4 chunks, never all 100.
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (source.Taken < 4000 && DateTime.UtcNow < until) Thread.Sleep(10);
        Thread.Sleep(200);
        Assert.Equal(4000, source.Taken);
    }

    [Fact]
    public void A_source_failure_reaches_the_reader_after_the_bytes_before_it_as_the_same_exception()
    {
        var data = Random(10_000);
        using var stream = new ReadAheadStream(new Source(data, piece: 700, failAfter: 2500), chunkSize: 1000);
        var got = new byte[2500];
        int total = 0;
        while (total < got.Length) total += stream.Read(got, total, got.Length - total);
        Assert.Equal(data[..2500], got);
        var e = Assert.Throws<IOException>(() => stream.Read(new byte[10]));
        Assert.Equal("connection reset by peer", e.Message);
    }

    [Fact]
    public void Disposing_stops_the_background_reads_and_disposes_the_source()
    {
        var source = new Source(Random(1_000_000), piece: 1000);
        var stream = new ReadAheadStream(source, chunkSize: 1000, depth: 2);
        Assert.Equal(1, stream.Read(new byte[1]));
        stream.Dispose();
        long taken = source.Taken;
        Thread.Sleep(100);
        Assert.Equal(taken, source.Taken);
        Assert.True(source.Disposed);
    }

    [Theory]
    [InlineData(0, 65536)]
    [InlineData(262144, 37856)]
    [InlineData(299000, 4096)]
    [InlineData(300000, 4096)]
    [InlineData(900000, 4096)]
    public void Chunks_are_full_up_to_the_expected_end_the_last_cut_to_end_there_and_small_after_it(long position, int expected)
        => Assert.Equal(expected, ReadAheadStream.ChunkAt(position, chunkSize: 65536, fullChunksUntil: 300_000, smallChunkSize: 4096));

    [Fact]
    public void A_reader_that_stops_at_the_expected_end_leaves_only_a_few_small_chunks_fetched_past_it()
    {
        var data = Random(1_000_000);
        var source = new Source(data, piece: 1 << 20);
        using var stream = new ReadAheadStream(source, chunkSize: 65536, depth: 2, fullChunksUntil: 300_000, smallChunkSize: 4096);
        var read = new byte[300_000];
        stream.ReadExactly(read);
        Assert.Equal(data.AsSpan(0, 300_000).ToArray(), read);
        // The pump fills the queue (depth 2) and one chunk more, then waits for the reader.
        SpinWait.SpinUntil(() => source.Taken >= 300_000 + 3 * 4096, TimeSpan.FromSeconds(2));
        Thread.Sleep(100);
        Assert.Equal(300_000 + 3 * 4096, source.Taken);
    }
}
