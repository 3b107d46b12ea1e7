using System.Formats.Tar;

namespace RobustCrop.IO.Data;

/// <summary>
/// A walk through a tar's members that survives lying headers. Planning counts samples with it and reading groups them
/// with it, so the two always agree on how many inputs a tar holds.
/// </summary>
public static class TarWalk
{
    /// <summary>One step of a walk through a tar: an entry (with <see cref="Why"/> set when its size runs past the end of
    /// the tar: its data cannot be read); a member found corrupt after it was walked (its size ran into the members after
    /// it); or where the tar broke (the walk ends).</summary>
    internal readonly record struct Step(TarEntry? Entry, TarEntry? Corrupt, string? Error, string? Why = null)
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
    internal static IEnumerable<Step> Walk(Stream stream)
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

    internal static string MemberName(TarEntry entry)
    {
        int slash = entry.Name.LastIndexOf('/');
        string file = entry.Name[(slash + 1)..];
        int dot = file.IndexOf('.');
        return dot < 0 ? "(no extension)" : file[(dot + 1)..].ToLowerInvariant();
    }

    /// <summary>Samples in a tar as reading finds them (a corrupt header costs its own sample only), or null when it cannot be
    /// read to the end. Only headers are read: the walk seeks over the data.</summary>
    public static long? CountSamples(Stream stream)
    {
        try
        {
            long count = 0;
            string? last = null;
            foreach (var step in Walk(stream))
            {
                if (step.Error is not null) return null;
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
        catch (Exception e) when (e is not OutOfMemoryException and not DataSourceException)
        {
            return null;
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

    /// <summary>Regular, non-hidden files, split into sample key and extension (after the first '.').</summary>
    internal static bool IsMember(TarEntry entry, out string key, out string ext)
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
}
