using System.Formats.Tar;
using System.Text;

namespace RobustCrop.TestSupport;

/// <summary>Tars as WebDataset readers meet them, honest or forged.</summary>
public static class TarFiles
{
    /// <summary>A GNU tar of the members, in order.</summary>
    public static byte[] Of(params (string Name, byte[] Content)[] members)
    {
        using var buffer = new MemoryStream();
        using (var writer = new TarWriter(buffer, TarEntryFormat.Gnu, leaveOpen: true))
        {
            foreach (var (name, content) in members)
                writer.WriteEntry(new GnuTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(content) });
        }
        return buffer.ToArray();
    }

    /// <summary>A tar whose member <paramref name="forged"/> claims <paramref name="claimed"/> bytes in its header (octal, or GNU
    /// base-256 past 8 GiB; checksum fixed), as a crafted or damaged tar does; its real data stays as it was.</summary>
    public static byte[] Claiming(string forged, long claimed, params (string Name, string Content)[] members)
        => Claiming(Of([.. members.Select(m => (m.Name, Encoding.UTF8.GetBytes(m.Content)))]), forged, claimed);

    /// <inheritdoc cref="Claiming(string, long, ValueTuple{string, string}[])"/>
    public static byte[] Claiming(byte[] tar, string forged, long claimed)
    {
        // Octal, as tar writers put any size that fits 11 digits; GNU base-256 beyond.
        var size = new byte[12];
        if (claimed < 1L << 33)
        {
            Encoding.ASCII.GetBytes(Convert.ToString(claimed, 8).PadLeft(11, '0')).CopyTo(size, 0);
        }
        else
        {
            size[0] = 0x80;
            for (int i = 0; i < 11; i++) size[11 - i] = (byte)(claimed >> (8 * i));
        }
        return WithHeaderField(tar, forged, 124, size);
    }

    /// <summary>A tar whose member <paramref name="member"/> has <paramref name="value"/> at <paramref name="offset"/> of its
    /// header, with the checksum fixed: a header that passes as one but holds a field no reader accepts.</summary>
    public static byte[] WithHeaderField(byte[] tar, string member, int offset, ReadOnlySpan<byte> value)
    {
        tar = (byte[])tar.Clone();
        int h = HeaderOf(tar, member);
        value.CopyTo(tar.AsSpan(h + offset));
        for (int i = 148; i < 156; i++) tar[h + i] = (byte)' ';
        int sum = 0;
        for (int i = 0; i < 512; i++) sum += tar[h + i];
        Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(tar, h + 148);
        return tar;
    }

    private static int HeaderOf(byte[] tar, string member)
    {
        for (int h = 0; h + 512 <= tar.Length; h += 512)
            if (Encoding.ASCII.GetString(tar, h, member.Length) == member && tar[h + member.Length] == 0) return h;
        throw new ArgumentException($"no member {member}");
    }
}
