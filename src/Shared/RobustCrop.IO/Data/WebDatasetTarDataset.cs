using System.Formats.Tar;
using System.Text.Json;
using RobustCrop.Core.Data;

namespace RobustCrop.IO.Data;

/// <summary>
/// WebDataset shards (the output of img2dataset): one .tar, or a folder of .tar files read in ordinal
/// name order. Members are grouped into samples by key, the member path up to the first '.' of its
/// file name (<c>000123.jpg</c>, <c>000123.cls</c>, <c>000123.json</c> → sample <c>000123</c>).
/// </summary>
/// <remarks>
/// As in WebDataset itself, the members of a sample must be adjacent in the tar; that lets a shard be
/// streamed without holding a whole tar. A key that comes back later, a sample without an image
/// member, an oversized image or a tar that breaks mid-way become ReadError records.
/// One tar is one shard (Count -1). A tar with more samples than the shard size is split into ranges
/// of sample index, so ids depend only on the tars' contents and the shard size; planning therefore
/// reads every tar's headers once (not their data). Labels come from <c>.cls</c> (the text: a number
/// or a name) or else from the <c>label</c> / <c>cls</c> field of <c>.json</c>; <c>.txt</c> is a caption, not a label.
/// </remarks>
public sealed class WebDatasetTarDataset : IImageDataset
{
    private readonly string _path;
    private readonly bool _isFolder;
    private readonly string[] _tars;
    private readonly string[]? _tarPaths;
    private readonly long _maxMemberBytes;
    // Where the tars come from: local files, or blobs streamed from object storage (AzureTarSource).
    private readonly Func<string, Stream>? _open;
    private readonly Func<string, long>? _count;
    // Samples of each whole-tar shard, as planning found them (a tar that fits one shard is planned with Count -1).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _planned = new(StringComparer.Ordinal);

    /// <summary>Tars read through <paramref name="open"/> (a sequential stream per tar) and planned with
    /// <paramref name="count"/> (samples of a tar, or -1 when unknown: one tar is then one shard).</summary>
    internal WebDatasetTarDataset(string name, IReadOnlyList<string> tars, Func<string, Stream> open, Func<string, long> count,
        long maxMemberBytes = ImageFolderDataset.DefaultMaxFileBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxMemberBytes);
        if (tars.Count == 0) throw new DatasetException($"no .tar files in {name}");
        _tars = [.. tars];
        _path = name;
        _isFolder = true;
        _open = open;
        _count = count;
        _maxMemberBytes = maxMemberBytes;
        Name = name;
    }

    /// <summary>A list of tars (a brace range such as <c>shards/{00000..09999}.tar</c>, expanded), read in the given order
    /// and keyed like a folder of tars; the dataset is named after the first tar's folder.</summary>
    /// <exception cref="DatasetException">A tar is missing, or two tars share a file name.</exception>
    public WebDatasetTarDataset(IReadOnlyList<string> tarPaths, string? name = null, long maxMemberBytes = ImageFolderDataset.DefaultMaxFileBytes)
    {
        ArgumentNullException.ThrowIfNull(tarPaths);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxMemberBytes);
        if (tarPaths.Count == 0) throw new DatasetException("no .tar files given");
        _tarPaths = tarPaths.Select(Path.GetFullPath).ToArray();
        foreach (var t in _tarPaths)
            if (!File.Exists(t)) throw new DatasetException($"data not found: {t}");
        _tars = _tarPaths.Select(Path.GetFileName).OfType<string>().ToArray();
        if (_tars.Distinct(StringComparer.Ordinal).Count() != _tars.Length)
            throw new DatasetException("two of the tars given share a file name; their sample keys would collide");
        _path = Path.GetDirectoryName(_tarPaths[0])!;
        _isFolder = true;
        _maxMemberBytes = maxMemberBytes;
        Name = name ?? Path.GetFileName(_path);
    }

    /// <param name="path">A .tar file or a folder holding .tar files.</param>
    public WebDatasetTarDataset(string path, string? name = null, long maxMemberBytes = ImageFolderDataset.DefaultMaxFileBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxMemberBytes);
        _path = Path.GetFullPath(path);
        _maxMemberBytes = maxMemberBytes;
        if (Directory.Exists(_path))
        {
            _isFolder = true;
            _tars = Directory.EnumerateFiles(_path, "*.tar", new EnumerationOptions { MatchCasing = MatchCasing.CaseInsensitive })
                .Select(Path.GetFileName).OfType<string>().Where(f => !f.StartsWith('.')).ToArray();
            Array.Sort(_tars, StringComparer.Ordinal);
            if (_tars.Length == 0)
                throw new DatasetException($"no .tar files in {path}");
        }
        else if (File.Exists(_path))
        {
            _tars = [Path.GetFileName(_path)];
        }
        else
        {
            throw new DatasetException($"data not found: {path}");
        }
        Name = name ?? ShardPlanning.NameFromPath(_path);
    }

    public string Name { get; }

    /// <summary>The tar file names, in shard order.</summary>
    public IReadOnlyList<string> Tars => _tars;

    public IReadOnlyList<DatasetShard> PlanShards(int shardSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(shardSize);
        var shards = new List<DatasetShard>();
        foreach (string tar in _tars)
        {
            var source = ShardSource.Of($"{Name}/{tar}");
            // img2dataset's NNNNN_stats.json beside the tar gives its sample count without reading the tar.
            long samples = _count is not null ? _count(tar) : SidecarCount(TarPath(tar)) ?? CountSamples(TarPath(tar));
            if (samples <= shardSize)
            {
                // Also the case of an unreadable tar (-1): reading it reports the error.
                shards.Add(new DatasetShard(new ShardId(shards.Count), source, 0, -1));
                if (samples >= 0) _planned[tar] = samples;
                continue;
            }
            foreach (var (start, count) in ShardPlanning.Slices(samples, shardSize))
                shards.Add(new DatasetShard(new ShardId(shards.Count), source, start, count));
        }
        return shards;
    }

    public IEnumerable<ImageRecord> ReadShard(DatasetShard shard)
    {
        string prefix = Name + "/";
        string? tar = shard.Source is PartSource { Part: var part } && part.StartsWith(prefix, StringComparison.Ordinal) ? part[prefix.Length..] : null;
        if (tar is null || Array.IndexOf(_tars, tar) < 0)
            throw new ArgumentException($"shard {shard.Id} ({shard.Source}) is not a shard of {Name}", nameof(shard));
        long start = Math.Max(0, shard.Start);
        long end = shard.Count < 0 ? long.MaxValue : start + shard.Count;
        string keyPrefix = _isFolder ? $"{Name}/{Path.GetFileNameWithoutExtension(tar)}/" : prefix;
        return ReadSamples(tar, start, end, keyPrefix, shard);
    }

    /// <summary>A whole-tar shard's samples as planning counted them (a sidecar's count or the tar's headers).</summary>
    public long? PlannedInputs(DatasetShard shard)
    {
        ArgumentNullException.ThrowIfNull(shard);
        if (shard.Count >= 0) return shard.Count;
        string prefix = Name + "/";
        return shard.Source is PartSource { Part: var part } && part.StartsWith(prefix, StringComparison.Ordinal)
            && _planned.TryGetValue(part[prefix.Length..], out long n) ? n : null;
    }

    private string TarPath(string tar)
        => _tarPaths is not null ? _tarPaths[Array.IndexOf(_tars, tar)] : _isFolder ? Path.Combine(_path, tar) : _path;

    private IEnumerable<ImageRecord> ReadSamples(string tar, long start, long end, string keyPrefix, DatasetShard shard)
    {
        string tarPath = _open is null ? TarPath(tar) : tar;
        string shardKey = keyPrefix.TrimEnd('/') + (shard.Count < 0 ? "" : $"@{start}");
        var (stream, openError) = _open is null ? TryOpen(tarPath) : (_open(tar), null);
        if (stream is null)
        {
            yield return new ImageRecord(shardKey, null, null, null, openError);
            yield break;
        }
        using var _ = stream;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        Sample? current = null;
        long index = -1;
        // The last member's data was passed over unread (over the limit, or before this shard's range): a tar that breaks
        // right after it broke inside that member, which is the sample's own error, not a second one.
        bool lastSkipped = false;
        foreach (var step in Walk(stream))
        {
            if (step.Corrupt is not null)
            {
                current?.MarkBroken(step.Why!);
                continue;
            }
            if (step.BadHeaderAt is { } at)
            {
                if (current is not null && index >= start && index < end)
                    yield return current.ToRecord(keyPrefix, _maxMemberBytes, duplicate: !seen.Add(current.Key));
                else if (current is not null)
                    seen.Add(current.Key);
                current = null;
                lastSkipped = false;
                if (++index >= end)
                    yield break;
                if (index >= start)
                    yield return new ImageRecord($"{keyPrefix}header-{at}", null, null, null, step.Why);
                continue;
            }
            if (step.Error is { } error)
            {
                bool inRange = current is not null && index >= start && index < end;
                if (inRange && lastSkipped)
                {
                    current!.MarkBroken($"the tar ends inside a member of {current.Members[^1].Length} bytes (cut, or a corrupt header): "
                        + $"nothing after it could be read ({error})");
                    yield return current.ToRecord(keyPrefix, _maxMemberBytes, duplicate: false);
                    yield break;
                }
                if (inRange)
                    yield return current!.ToRecord(keyPrefix, _maxMemberBytes, duplicate: false);
                // The rest of the tar is one input: how many samples it held cannot be known.
                yield return new ImageRecord(shardKey, null, null, null, $"corrupt tar {Path.GetFileName(tarPath)}: {error}");
                yield break;
            }
            var entry = step.Entry!;
            if (!IsMember(entry, out string key, out string ext))
                continue;
            if (current is null || current.Key != key)
            {
                if (current is not null && index >= start && index < end)
                    yield return current.ToRecord(keyPrefix, _maxMemberBytes, duplicate: !seen.Add(current.Key));
                else if (current is not null)
                    seen.Add(current.Key);
                index++;
                if (index >= end)
                    yield break;
                current = new Sample(key);
            }
            bool wanted = index >= start;
            if (step.Why is { } why)
            {
                // Its size runs past the end of the tar: no data to read, the sample is one error row.
                current.MarkBroken(why);
                current.Members.Add(new Member(ext, entry.Length, null));
                lastSkipped = false;
                continue;
            }
            var (data, readError) = wanted && entry.Length <= _maxMemberBytes ? TryReadData(entry) : (null, null);
            if (readError is not null)
            {
                yield return new ImageRecord(shardKey, null, null, null, $"corrupt tar {Path.GetFileName(tarPath)}: {readError}");
                yield break;
            }
            lastSkipped = data is null && entry.Length > 0;
            current.Members.Add(new Member(ext, entry.Length, data));
        }
        if (current is not null && index >= start && index < end)
            yield return current.ToRecord(keyPrefix, _maxMemberBytes, duplicate: !seen.Add(current.Key));
    }

    /// <summary>One step of a walk through a tar: an entry (with <see cref="Why"/> set when its size runs past the end of
    /// the tar: its data cannot be read); a member found corrupt after it was walked (its size ran into the members after
    /// it); or where the tar broke (the walk ends).</summary>
    private readonly record struct Step(TarEntry? Entry, TarEntry? Corrupt, string? Error, string? Why = null)
    {
        /// <summary>A block with a valid checksum whose fields cannot be read: one input of its own, named by its offset.</summary>
        public long? BadHeaderAt { get; init; }
    }

    /// <summary>
    /// The tar's entries. On a seekable tar a header is checked against the file before its data is read: a size that runs
    /// past the end of the file (8 GiB, or 60 MB in a tar of 3 MB) is that member's error, and the members after it are
    /// found again from the next block that is a valid header, so one forged size costs one sample, never the rest of the
    /// tar. A size that stays inside the file but runs into the next member shows when the block after it is not a header
    /// (or is an end mark with headers after it): that member is corrupt, and the walk goes on from the next valid header
    /// after its start. Planning counts with the same walk, so planned inputs and read records agree.
    /// </summary>
    private static IEnumerable<Step> Walk(Stream stream)
    {
        var reader = new TarReader(stream, leaveOpen: true);
        try
        {
            TarEntry? last = null;
            while (true)
            {
                var (entry, error) = TryNext(reader);
                long? resync = null;
                if (entry is not null)
                {
                    if (!stream.CanSeek || entry.DataOffset < 0 || entry.DataOffset + entry.Length <= stream.Length)
                    {
                        last = entry;
                        yield return new Step(entry, null, null);
                        continue;
                    }
                    yield return new Step(entry, null, null,
                        $"{MemberName(entry)} member claims {entry.Length} bytes, more than the tar holds (a corrupt header or a cut tar)");
                    resync = NextHeader(stream, entry.DataOffset);
                    if (resync is null) yield break;
                }
                else if (last is not null && stream.CanSeek && last.DataOffset >= 0 && (error is not null || HeadersAfterEnd(stream, last)))
                {
                    long after = (last.DataOffset + last.Length + 511) / 512 * 512;
                    if (error is not null && HeaderAt(stream, after))
                    {
                        // Where the previous member ends there is a header, but not one that can be read: that member is
                        // fine, this one is lost (its name with it). It is one input, so planning and reading agree.
                        yield return new Step(null, null, null, $"the member header at byte {after} cannot be read ({error})") { BadHeaderAt = after };
                        resync = NextHeader(stream, after + 512);
                    }
                    else if (NextHeader(stream, last.DataOffset) is long next)
                    {
                        yield return new Step(null, last, null,
                            $"{MemberName(last)} member claims {last.Length} bytes, which run into the member after it (a corrupt header)");
                        resync = next;
                    }
                    else
                    {
                        yield return new Step(null, null, error ?? "no member header where the last member ends");
                        yield break;
                    }
                    if (resync is null) yield break;
                }
                else if (error is null)
                {
                    yield break;
                }
                else
                {
                    yield return new Step(null, null, error);
                    yield break;
                }
                reader.Dispose();
                stream.Position = resync.Value;
                reader = new TarReader(stream, leaveOpen: true);
                last = null;
            }
        }
        finally
        {
            reader.Dispose();
        }
    }

    /// <summary>The offset of the first 512-byte block at or after <paramref name="from"/> that is a tar header (ustar
    /// magic and a matching checksum), or null.</summary>
    private static long? NextHeader(Stream stream, long from)
    {
        var block = new byte[512];
        for (long at = (from + 511) / 512 * 512; at + 512 <= stream.Length; at += 512)
        {
            stream.Position = at;
            stream.ReadExactly(block);
            if (IsHeader(block)) return at;
        }
        return null;
    }

    /// <summary>Whether the block at <paramref name="at"/> is a tar header (magic and checksum).</summary>
    private static bool HeaderAt(Stream stream, long at)
    {
        if (at + 512 > stream.Length) return false;
        var block = new byte[512];
        stream.Position = at;
        stream.ReadExactly(block);
        return IsHeader(block);
    }

    /// <summary>An end mark read where headers still follow: the reader landed inside a member (the last one's size
    /// lied), not at the tar's end. A whole tar has only zeros after its end mark, so this reads its few padding blocks.</summary>
    private static bool HeadersAfterEnd(Stream stream, TarEntry last)
        => NextHeader(stream, Math.Max(stream.Position, last.DataOffset + last.Length)) is not null;

    private static bool IsHeader(ReadOnlySpan<byte> block)
    {
        if (!block.Slice(257, 5).SequenceEqual("ustar"u8)) return false;
        long stored = 0;
        foreach (byte b in block.Slice(148, 8))
        {
            if (b is (byte)' ' or 0) continue;
            if (b is < (byte)'0' or > (byte)'7') return false;
            stored = stored * 8 + (b - '0');
        }
        long sum = 0;
        for (int i = 0; i < 512; i++) sum += i is >= 148 and < 156 ? ' ' : block[i];
        return sum == stored;
    }

    private static string MemberName(TarEntry entry)
    {
        int slash = entry.Name.LastIndexOf('/');
        string file = entry.Name[(slash + 1)..];
        int dot = file.IndexOf('.');
        return dot < 0 ? "(no extension)" : file[(dot + 1)..].ToLowerInvariant();
    }

    /// <summary>The samples img2dataset wrote into <c>NNNNN.tar</c>, from its <c>NNNNN_stats.json</c> or else its
    /// <c>NNNNN.parquet</c> (see <see cref="Img2DatasetSidecar"/>), or null when there is no readable sidecar.</summary>
    internal static long? SidecarCount(string tarPath)
    {
        var (stats, parquet) = Img2DatasetSidecar.NamesOf(tarPath);
        try
        {
            if (File.Exists(stats) && StatsSuccesses(File.ReadAllBytes(stats)) is { } n) return n;
            if (!File.Exists(parquet)) return null;
            // Local file, no synchronisation context: blocking on Parquet.Net's async reader cannot deadlock.
            using var stream = File.OpenRead(parquet);
            return Img2DatasetSidecar.ParquetSuccessesAsync(stream).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>"successes" of an img2dataset stats file, or null.</summary>
    public static long? StatsSuccesses(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            using var doc = JsonDocument.ParseValue(ref reader);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("successes", out var v)
                   && v.TryGetInt64(out long n) && n >= 0 ? n : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Samples in a tar as reading finds them (a corrupt header costs its own sample only), or -1 when it cannot
    /// be read to the end.</summary>
    private static long CountSamples(string tarPath)
    {
        try
        {
            using var stream = File.OpenRead(tarPath);
            long count = 0;
            string? last = null;
            foreach (var step in Walk(stream))
            {
                if (step.Error is not null) return -1;
                if (step.BadHeaderAt is not null)
                {
                    count++;
                    last = null;
                    continue;
                }
                if (step.Entry is not { } entry || !IsMember(entry, out string key, out _) || key == last)
                    continue;
                last = key;
                count++;
            }
            return count;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return -1;
        }
    }

    private static (Stream? Stream, string? Error) TryOpen(string tarPath)
    {
        try
        {
            return (File.OpenRead(tarPath), null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, $"cannot open {Path.GetFileName(tarPath)}: {e.Message}");
        }
    }

    // System.Formats.Tar reports malformed input with several exception types (InvalidDataException,
    // FormatException, EndOfStreamException, ArgumentException…): any of them means a corrupt tar.
    private static (TarEntry? Entry, string? Error) TryNext(TarReader reader)
    {
        try
        {
            return (reader.GetNextEntry(copyData: false), null);
        }
        catch (Exception e) when (e is not OutOfMemoryException and not DataSourceException)
        {
            return (null, e.Message);
        }
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

    /// <summary>Regular, non-hidden files, split into sample key and extension (after the first '.').</summary>
    private static bool IsMember(TarEntry entry, out string key, out string ext)
    {
        key = ext = "";
        if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile))
            return false;
        string name = entry.Name.StartsWith("./", StringComparison.Ordinal) ? entry.Name[2..] : entry.Name;
        int slash = name.LastIndexOf('/');
        string file = name[(slash + 1)..];
        if (file.Length == 0 || file.StartsWith('.'))
            return false;
        int dot = file.IndexOf('.');
        key = dot < 0 ? name : name[..(slash + 1 + dot)];
        ext = dot < 0 ? "" : file[(dot + 1)..].ToLowerInvariant();
        return true;
    }

    private sealed record Member(string Ext, long Length, byte[]? Data);

    private sealed class Sample(string key)
    {
        private string? _broken;

        public string Key { get; } = key;
        public List<Member> Members { get; } = [];

        /// <summary>The tar broke inside this sample: it is one error row saying so, whatever else it holds.</summary>
        public void MarkBroken(string reason) => _broken ??= reason;

        public ImageRecord ToRecord(string keyPrefix, long maxBytes, bool duplicate)
        {
            string recordKey = keyPrefix + Key;
            string? label = Label();
            var meta = Metadata();
            if (_broken is not null)
                return new ImageRecord(recordKey, label, null, null, _broken, meta);
            if (duplicate)
                return new ImageRecord(recordKey, label, null, null, "duplicate sample key: the members of a sample must be adjacent in the tar", meta);
            var image = Members.FirstOrDefault(m => ImageFolderDataset.ImageExtensions.Contains(m.Ext));
            if (image is null)
            {
                string found = string.Join(", ", Members.Select(m => m.Ext.Length == 0 ? "(no extension)" : m.Ext));
                return new ImageRecord(recordKey, label, null, null, $"no image member (found: {found})", meta);
            }
            if (image.Length > maxBytes || image.Data is null)
                return new ImageRecord(recordKey, label, null, null, $"{image.Ext} member is {image.Length} bytes, over the {maxBytes}-byte limit", meta);
            return new ImageRecord(recordKey, label, image.Data, null, Metadata: meta);
        }

        /// <summary>img2dataset's per-sample .json (url, caption, key, width, height, status); the caption falls back to the
        /// .txt member. Null when the sample has neither; a broken .json keeps the image.</summary>
        private SampleMetadata? Metadata()
        {
            var json = Members.FirstOrDefault(m => m.Ext == "json")?.Data;
            var txt = Members.FirstOrDefault(m => m.Ext == "txt")?.Data;
            string? caption = txt is null ? null : System.Text.Encoding.UTF8.GetString(txt);
            if (json is null) return caption is null ? null : new SampleMetadata(null, caption, null, null, null, null);
            try
            {
                using var doc = JsonDocument.Parse(json);
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object) return null;
                string? Text(string name) => root.TryGetProperty(name, out var v) ? v.ValueKind switch
                {
                    JsonValueKind.String => v.GetString(),
                    JsonValueKind.Number => v.GetRawText(),
                    _ => null,
                } : null;
                int? Int(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i) ? i : null;
                return new SampleMetadata(Text("url"), Text("caption") ?? caption, Text("key"), Int("width"), Int("height"), Text("status"));
            }
            catch (JsonException)
            {
                return caption is null ? null : new SampleMetadata(null, caption, null, null, null, null);
            }
        }

        private string? Label()
        {
            var cls = Members.FirstOrDefault(m => m.Ext == "cls");
            if (cls?.Data is { } clsData)
            {
                string text = System.Text.Encoding.UTF8.GetString(clsData).Trim();
                if (text.Length > 0)
                    return text;
            }
            var json = Members.FirstOrDefault(m => m.Ext == "json");
            return json?.Data is { } jsonData ? JsonLabel(jsonData) : null;
        }

        private static string? JsonLabel(byte[] data)
        {
            try
            {
                using var doc = JsonDocument.Parse(data);
                if (doc.RootElement.ValueKind != JsonValueKind.Object)
                    return null;
                foreach (string field in (string[])["label", "cls"])
                {
                    if (!doc.RootElement.TryGetProperty(field, out var value))
                        continue;
                    return value.ValueKind switch
                    {
                        JsonValueKind.String => value.GetString(),
                        JsonValueKind.Number => value.GetRawText(),
                        _ => null,
                    };
                }
                return null;
            }
            catch (JsonException)
            {
                // A broken .json side file loses the label but not the image.
                return null;
            }
        }
    }
}
