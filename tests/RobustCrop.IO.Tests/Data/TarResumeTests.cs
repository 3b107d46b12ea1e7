using System.Formats.Tar;
using System.Text;
using RobustCrop.Core.Data;
using RobustCrop.IO.Data;

namespace RobustCrop.IO.Tests.Data;

/// <summary>A shard that begins mid-tar, read by the process that walked the shard before it, starts at its first
/// sample's header instead of reading the tar from its start (a blob store: every byte before it is a paid request).</summary>
public sealed class TarResumeTests
{
    /// <summary>One tar that opens at any offset, forward only, as a blob store with ranged reads does; it records where
    /// each read started and the end it was told to expect.</summary>
    private sealed class MidTarSource(byte[] tar, long samples) : ITarSource
    {
        public List<(long Offset, long Until)> Opened { get; } = [];
        public string Name => "mid";
        public IReadOnlyList<string> Tars { get; } = ["00000.tar"];
        public bool KeysNameTheTar => true;
        public bool OpensMidTar => true;
        public long? CountSamples(string _) => samples;
        public Stream Open(string name) => Open(name, 0, long.MaxValue);

        public Stream Open(string _, long offset, long readAheadUntil)
        {
            Opened.Add((offset, readAheadUntil));
            return new ForwardOnly(tar[(int)offset..]);
        }

        public IEnumerable<ListedFile> ListFiles() => [new("00000.tar", tar.Length, "1")];
    }

    private sealed class ForwardOnly(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
        public override long Seek(long offset, SeekOrigin loc) => throw new NotSupportedException();
        public override long Length => throw new NotSupportedException();
    }

    /// <summary>A PAX tar (an extended header before each member) of samples KEY.jpg + KEY.json with the given keys, and
    /// the byte where each sample's first header begins.</summary>
    private static (byte[] Tar, List<long> Starts) Tar(params string[] keys)
    {
        using var buffer = new MemoryStream();
        var starts = new List<long>();
        using (var writer = new TarWriter(buffer, TarEntryFormat.Pax, leaveOpen: true))
        {
            for (int i = 0; i < keys.Length; i++)
            {
                starts.Add(buffer.Position);
                var image = new byte[700 + 301 * i];
                new Random(i).NextBytes(image);
                writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, keys[i] + ".jpg") { DataStream = new MemoryStream(image) });
                writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, keys[i] + ".json")
                    { DataStream = new MemoryStream(Encoding.UTF8.GetBytes($$"""{"key": "{{keys[i]}}"}""")) });
            }
        }
        return (buffer.ToArray(), starts);
    }

    private static List<(string Key, string? Error, string Bytes)> Rows(IEnumerable<ImageRecord> records)
        => [.. records.Select(r => (r.Key, r.ReadError, r.Encoded is { } e ? Convert.ToHexString(e.Span) : ""))];

    [Fact]
    public void Each_next_shard_opens_at_its_first_samples_header_and_reads_what_a_walk_from_the_start_reads()
    {
        var (tar, starts) = Tar([.. Enumerable.Range(0, 10).Select(i => $"k{i:D2}")]);
        var source = new MidTarSource(tar, 10);
        var ds = new WebDatasetTarDataset(source);
        var shards = ds.PlanShards(3);
        Assert.Equal(4, shards.Count);

        foreach (var shard in shards)
        {
            // A fresh reader walks the tar from byte 0; this one goes on from where its last walk stopped.
            var fresh = new WebDatasetTarDataset(new MidTarSource(tar, 10));
            Assert.Equal(Rows(fresh.ReadShard(shard)), Rows(ds.ReadShard(shard)));
        }
        Assert.Equal([0, starts[3], starts[6], starts[9]], source.Opened.Select(o => o.Offset));
        Assert.Equal(10, shards.Sum(s => ds.ReadShard(s).Count()));
    }

    [Fact]
    public void A_key_that_comes_back_in_a_later_shard_is_still_a_duplicate_when_that_shard_starts_mid_tar()
    {
        var (tar, starts) = Tar("a", "b", "c", "d", "b", "e");
        var source = new MidTarSource(tar, 6);
        var ds = new WebDatasetTarDataset(source);
        var shards = ds.PlanShards(3);
        _ = ds.ReadShard(shards[0]).ToList();
        var second = ds.ReadShard(shards[1]).ToList();

        Assert.Equal(starts[3], source.Opened[^1].Offset);
        Assert.Equal(["mid/00000/d", "mid/00000/b", "mid/00000/e"], second.Select(r => r.Key));
        Assert.StartsWith("duplicate sample key", second[1].ReadError);
        Assert.Null(second[0].ReadError);
    }

    [Fact]
    public void A_shard_is_read_ahead_to_about_where_its_last_sample_ends_not_to_the_end_of_the_tar()
    {
        // 100 samples in shards of 25: the first shard ends about a quarter into the tar; the margin is at least 2 MiB.
        var (tar, _) = Tar([.. Enumerable.Range(0, 100).Select(i => $"k{i:D3}")]);
        var source = new MidTarSource(tar, 100);
        var ds = new WebDatasetTarDataset(source);
        var shards = ds.PlanShards(25);
        _ = ds.ReadShard(shards[0]).ToList();
        _ = ds.ReadShard(shards[3]).ToList();

        Assert.Equal(tar.Length / 4 + (2L << 20), source.Opened[0].Until);
        // The last shard ends with the tar: its expected end is the tar's size plus the margin (nothing lies past it).
        Assert.Equal(tar.Length + (2L << 20), source.Opened[1].Until);
    }
}
