using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace RobustCrop.Benchmarks;

/// <summary>
/// Takes files out of Qt binary resource files (<c>.rcc</c>), for the distinct-photo bench set
/// (scripts/natural-photos.sh): GCompris ships its photographs, and the README that states each one's licence, inside
/// one .rcc per activity. Reads the documented format (Qt's rcc.cpp): a "qres" header, a tree of 14-byte (version 1)
/// or 22-byte (version 2+) nodes, a names table of UTF-16BE names and a data table of length-prefixed payloads,
/// zlib-compressed (qCompress: a 4-byte size, then zlib) when the node's flag 1 is set. Zstandard payloads (flag 4) are
/// refused with an error rather than guessed.
/// </summary>
public static class RccExtractor
{
    private const ushort Compressed = 1, Directory = 2, CompressedZstd = 4;

    /// <summary>usage: rcc-extract LIST, each line "RCC_FILE&lt;tab&gt;MEMBER&lt;tab&gt;OUT_FILE".</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        if (args.Length != 1 || !File.Exists(args[0]))
        {
            error.WriteLine("usage: rcc-extract LIST   (each line: RCC_FILE<tab>MEMBER<tab>OUT_FILE)");
            return 2;
        }
        var cache = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        int count = 0;
        foreach (var line in File.ReadLines(args[0]))
        {
            if (line.Length == 0) continue;
            var parts = line.Split('\t');
            if (parts.Length != 3)
            {
                error.WriteLine($"rcc-extract: a line needs RCC_FILE, MEMBER and OUT_FILE separated by tabs: {line}");
                return 2;
            }
            if (!cache.TryGetValue(parts[0], out var rcc))
                cache[parts[0]] = rcc = File.ReadAllBytes(parts[0]);
            byte[]? member;
            try
            {
                member = Find(rcc, parts[1]);
            }
            catch (InvalidDataException e)
            {
                error.WriteLine($"rcc-extract: {parts[0]}: {e.Message}");
                return 1;
            }
            if (member is null)
            {
                error.WriteLine($"rcc-extract: {parts[0]} has no {parts[1]}");
                return 1;
            }
            File.WriteAllBytes(parts[2], member);
            count++;
        }
        output.WriteLine($"rcc-extract: {count} files");
        return 0;
    }

    /// <summary>The member at <paramref name="path"/> ("a/b/c.webp", leading '/' optional), or null when absent.</summary>
    public static byte[]? Find(ReadOnlySpan<byte> rcc, string path)
    {
        if (rcc.Length < 20 || !rcc[..4].SequenceEqual("qres"u8))
            throw new InvalidDataException("not a Qt resource file (no 'qres' header)");
        int version = Int(rcc, 4), tree = Int(rcc, 8), data = Int(rcc, 12), names = Int(rcc, 16);
        int nodeSize = version == 1 ? 14 : 22;
        int node = 0;   // the root directory
        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            int at = tree + node * nodeSize;
            if ((Short(rcc, at + 4) & Directory) == 0) return null;
            int children = Int(rcc, at + 6), first = Int(rcc, at + 10);
            node = -1;
            for (int c = first; c < first + children; c++)
                if (Name(rcc, names, Int(rcc, tree + c * nodeSize)) == part) { node = c; break; }
            if (node < 0) return null;
        }
        int leaf = tree + node * nodeSize;
        ushort flags = Short(rcc, leaf + 4);
        if ((flags & Directory) != 0) return null;
        if ((flags & CompressedZstd) != 0) throw new InvalidDataException($"{path} is Zstandard-compressed, which this reader does not decode");
        int offset = data + Int(rcc, leaf + 10);
        int size = Int(rcc, offset);
        var payload = rcc.Slice(offset + 4, size);
        if ((flags & Compressed) == 0) return payload.ToArray();
        // qCompress: a 4-byte big-endian uncompressed size, then a zlib stream.
        var result = new byte[Int(payload, 0)];
        using var zlib = new ZLibStream(new MemoryStream(payload[4..].ToArray()), CompressionMode.Decompress);
        zlib.ReadExactly(result);
        return result;
    }

    private static string Name(ReadOnlySpan<byte> rcc, int names, int offset)
    {
        int length = Short(rcc, names + offset);
        return Encoding.BigEndianUnicode.GetString(rcc.Slice(names + offset + 6, 2 * length));
    }

    private static int Int(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadInt32BigEndian(b[at..]);

    private static ushort Short(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt16BigEndian(b[at..]);
}
