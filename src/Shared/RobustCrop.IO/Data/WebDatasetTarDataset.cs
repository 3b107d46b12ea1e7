using System.Collections.Concurrent;
using System.Formats.Tar;
using RobustCrop.Core.Data;

namespace RobustCrop.IO.Data;

/// <summary>
/// WebDataset shards (the output of img2dataset): tars from an <see cref="ITarSource"/> (local files, blobs), read in the
/// source's order. Members are grouped into samples by key, the member path up to the first '.' of its file name
/// (<c>000123.jpg</c>, <c>000123.cls</c>, <c>000123.json</c> → sample <c>000123</c>, see <see cref="WebDatasetSample"/>).
/// </summary>
/// <remarks>
/// As in WebDataset itself, the members of a sample must be adjacent in the tar; that lets a shard be streamed without
/// holding a whole tar. A key that comes back later, a sample without an image member, an oversized image, a forged
/// header (see <see cref="TarWalk"/>) or a tar that breaks mid-way become ReadError records.
/// One tar is one shard (Count -1). A tar with more samples than the shard size is split into ranges of sample index, so
/// ids depend only on the tars' contents and the shard size; planning therefore counts every tar's samples once (the
/// source's sidecar, or its headers, not its data).
/// </remarks>
public sealed class WebDatasetTarDataset : IImageDataset
{
    private readonly ITarSource _source;
    private readonly long _maxMemberBytes;
    // Samples of each whole-tar shard, as planning found them (a tar that fits one shard is planned with Count -1).
    private readonly ConcurrentDictionary<string, long> _planned = new(StringComparer.Ordinal);
    // Where walks of a tar stopped (sources that open mid-tar only): the next shard of that tar starts there rather than
    // reading every byte before it again. The coordinator leases a worker the shard after the one it just did.
    private readonly ConcurrentDictionary<string, ResumePoint> _resume = new(StringComparer.Ordinal);
    private readonly Lazy<Dictionary<string, long>> _sizes;

    /// <summary>Tars whose resume point is kept (a worker moves through a few at a time).</summary>
    private const int MaxResumePoints = 16;

    public WebDatasetTarDataset(ITarSource source, string? name = null, long maxMemberBytes = ImageFolderDataset.DefaultMaxFileBytes)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxMemberBytes);
        if (source.Tars.Count == 0) throw new DatasetException($"no .tar files in {source.Name}");
        _source = source;
        _maxMemberBytes = maxMemberBytes;
        Name = name ?? source.Name;
        _sizes = new(() => source.ListFiles().GroupBy(f => f.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Bytes, StringComparer.Ordinal));
    }

    /// <summary>A list of local tars (a brace range such as <c>shards/{00000..09999}.tar</c>, expanded), see <see cref="LocalTarSource"/>.</summary>
    /// <exception cref="DatasetException">A tar is missing, or two tars share a file name.</exception>
    public WebDatasetTarDataset(IReadOnlyList<string> tarPaths, string? name = null, long maxMemberBytes = ImageFolderDataset.DefaultMaxFileBytes)
        : this(new LocalTarSource(tarPaths), name, maxMemberBytes)
    {
    }

    /// <param name="path">A .tar file or a folder holding .tar files.</param>
    public WebDatasetTarDataset(string path, string? name = null, long maxMemberBytes = ImageFolderDataset.DefaultMaxFileBytes)
        : this(new LocalTarSource(path), name, maxMemberBytes)
    {
    }

    public string Name { get; }

    /// <summary>The tar names, in shard order.</summary>
    public IReadOnlyList<string> Tars => _source.Tars;

    public IEnumerable<ListedFile> ListFiles() => _source.ListFiles();

    public IReadOnlyList<DatasetShard> PlanShards(int shardSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(shardSize);
        var shards = new List<DatasetShard>();
        foreach (string tar in _source.Tars)
        {
            var source = ShardSource.Of($"{Name}/{tar}");
            long? samples = _source.CountSamples(tar);
            if (samples is not long n || n <= shardSize)
            {
                // Also the case of a tar whose samples are unknown: reading it tells, or reports the error.
                shards.Add(new DatasetShard(new ShardId(shards.Count), source, 0, -1));
                if (samples is long known) _planned[tar] = known;
                continue;
            }
            foreach (var (start, count) in ShardPlanning.Slices(n, shardSize))
                shards.Add(new DatasetShard(new ShardId(shards.Count), source, start, count));
        }
        return shards;
    }

    public IEnumerable<ImageRecord> ReadShard(DatasetShard shard)
    {
        ArgumentNullException.ThrowIfNull(shard);
        string tar = TarOf(shard) ?? throw new ArgumentException($"shard {shard.Id} ({shard.Source}) is not a shard of {Name}", nameof(shard));
        long start = Math.Max(0, shard.Start);
        long end = shard.Count < 0 ? long.MaxValue : start + shard.Count;
        string keyPrefix = _source.KeysNameTheTar ? $"{Name}/{Path.GetFileNameWithoutExtension(tar)}/" : Name + "/";
        string shardKey = keyPrefix.TrimEnd('/') + (shard.Count < 0 ? "" : $"@{start}");
        return ReadSamples(tar, new Range(start, end, keyPrefix, shardKey));
    }

    /// <summary>A whole-tar shard's samples as planning counted them (a sidecar's count or the tar's headers).</summary>
    public long? PlannedInputs(DatasetShard shard)
    {
        ArgumentNullException.ThrowIfNull(shard);
        if (shard.Count >= 0) return shard.Count;
        return TarOf(shard) is { } tar && _planned.TryGetValue(tar, out long n) ? n : null;
    }

    private string? TarOf(DatasetShard shard)
    {
        string prefix = Name + "/";
        return shard.Source is PartSource { Part: var part } && part.StartsWith(prefix, StringComparison.Ordinal)
            && _source.Tars.Contains(part[prefix.Length..]) ? part[prefix.Length..] : null;
    }

    /// <summary>The samples [Start, End) of a tar, keyed with <paramref name="KeyPrefix"/>; errors of the tar as a whole are
    /// keyed <paramref name="ShardKey"/>.</summary>
    private sealed record Range(long Start, long End, string KeyPrefix, string ShardKey)
    {
        public bool Holds(long index) => index >= Start && index < End;
    }

    /// <summary>Sample <paramref name="Index"/> of a tar begins with the header at byte <paramref name="Offset"/>;
    /// <paramref name="Seen"/> holds the keys before it, so a key that comes back later is still found (never changed).</summary>
    private sealed record ResumePoint(long Index, long Offset, HashSet<string> Seen);

    private void Remember(string tar, ResumePoint point)
    {
        if (_resume.Count >= MaxResumePoints && !_resume.ContainsKey(tar))
            foreach (var other in _resume.Keys.Take(_resume.Count - MaxResumePoints + 1)) _resume.TryRemove(other, out _);
        // The furthest point is kept: the shard after it is the one this worker is leased next.
        _resume.AddOrUpdate(tar, point, (_, old) => old.Index >= point.Index ? old : point);
    }

    /// <summary>About where sample <paramref name="end"/> begins, from the tar's listed size and planned samples, with a
    /// margin for the spread of sample sizes: the read-ahead fetches small chunks past it. long.MaxValue when unknown.</summary>
    private long ExpectedEnd(string tar, long end)
    {
        if (end == long.MaxValue || !_source.OpensMidTar || _source.CountSamples(tar) is not long n || n <= 0
            || !_sizes.Value.TryGetValue(tar, out long bytes) || bytes <= 0) return long.MaxValue;
        return (long)((double)bytes * end / n) + Math.Max(2L << 20, bytes / 64);
    }

    private IEnumerable<ImageRecord> ReadSamples(string tar, Range range)
    {
        var resume = _source.OpensMidTar && _resume.TryGetValue(tar, out var point) && point.Index <= range.Start ? point : null;
        Stream? stream = null;
        string? openError = null;
        try
        {
            // From the start (the only choice of a source that cannot open mid-tar), or where this worker's last walk stopped.
            stream = _source.Open(tar, resume?.Offset ?? 0, ExpectedEnd(tar, range.End));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            openError = $"cannot open {Path.GetFileName(tar)}: {e.Message}";
        }
        if (stream is null)
        {
            yield return new ImageRecord(range.ShardKey, null, null, null, openError);
            yield break;
        }
        // A source that opens mid-tar is forward-only: counting what the walk consumed gives each header's offset.
        var counted = _source.OpensMidTar ? new CountingStream(stream, resume?.Offset ?? 0) : null;
        using var _ = counted ?? stream;
        var seen = resume is null ? new HashSet<string>(StringComparer.Ordinal) : new HashSet<string>(resume.Seen, StringComparer.Ordinal);
        WebDatasetSample? current = null;
        long index = (resume?.Index ?? 0) - 1;
        // Where the last entry walked ends (its data padded to 512-byte blocks): the next entry's header begins there.
        long entryEnd = resume?.Offset ?? 0;
        // The last member's data was passed over unread (over the limit, or before this shard's range): a tar that breaks
        // right after it broke inside that member, which is the sample's own error, not a second one.
        bool lastSkipped = false;
        foreach (var step in TarWalk.Walk(counted ?? stream))
        {
            if (step.Corrupt is not null)
            {
                current?.MarkBroken(step.Why!);
                continue;
            }
            if (step.Error is { } error)
            {
                bool inRange = current is not null && range.Holds(index);
                if (inRange && lastSkipped)
                    current!.MarkBroken($"the tar ends inside a member of {current.Members[^1].Length} bytes (cut, or a corrupt header): "
                        + $"nothing after it could be read ({error})");
                if (inRange)
                    yield return current!.ToRecord(range.KeyPrefix, _maxMemberBytes, duplicate: false);
                // The rest of the tar is one input (how many samples it held cannot be known), unless the break is the
                // sample's own.
                if (!(inRange && lastSkipped))
                    yield return new ImageRecord(range.ShardKey, null, null, null, $"corrupt tar {Path.GetFileName(tar)}: {error}");
                yield break;
            }
            long headerAt = entryEnd;
            if (counted is not null && step.Entry is { } walked) entryEnd = (counted.Consumed + walked.Length + 511) / 512 * 512;
            string key = "", ext = "";
            if (step.BadHeaderAt is null && !TarWalk.IsMember(step.Entry!, out key, out ext))
                continue;
            if (step.BadHeaderAt is not null || current is null || current.Key != key)
            {
                // The sample before ends: it is a record when in range, and its key is remembered to catch repeats.
                if (current is not null)
                {
                    bool duplicate = !seen.Add(current.Key);
                    if (range.Holds(index)) yield return current.ToRecord(range.KeyPrefix, _maxMemberBytes, duplicate);
                }
                current = null;
                lastSkipped = false;
                if (++index >= range.End)
                {
                    if (counted is not null) Remember(tar, new ResumePoint(index, headerAt, [.. seen]));
                    yield break;
                }
                if (step.BadHeaderAt is { } at)
                {
                    // A header no reader accepts is one input of its own, named by where it is.
                    if (range.Holds(index)) yield return new ImageRecord($"{range.KeyPrefix}header-{at}", null, null, null, step.Why);
                    continue;
                }
                current = new WebDatasetSample(key);
            }
            var entry = step.Entry!;
            if (step.Why is { } why)
            {
                // Its size runs past the end of the tar: no data to read, the sample is one error row.
                current.MarkBroken(why);
                current.Members.Add(new TarMember(ext, entry.Length, null));
                lastSkipped = false;
                continue;
            }
            var (data, readError) = index >= range.Start && entry.Length <= _maxMemberBytes ? TryReadData(entry) : (null, null);
            if (readError is not null)
            {
                yield return new ImageRecord(range.ShardKey, null, null, null, $"corrupt tar {Path.GetFileName(tar)}: {readError}");
                yield break;
            }
            lastSkipped = data is null && entry.Length > 0;
            current.Members.Add(new TarMember(ext, entry.Length, data));
        }
        if (current is not null && range.Holds(index))
            yield return current.ToRecord(range.KeyPrefix, _maxMemberBytes, duplicate: !seen.Add(current.Key));
    }

    private static (byte[]? Data, string? Error) TryReadData(TarEntry entry)
    {
        try
        {
            var data = new byte[entry.Length];
            entry.DataStream?.ReadExactly(data);
            return (data, null);
        }
        catch (Exception e) when (e is not OutOfMemoryException and not DataSourceException)
        {
            return (null, $"{entry.Name}: {e.Message}");
        }
    }
}
