using System.Globalization;
using Parquet;

namespace RobustCrop.IO.Data;

/// <summary>
/// Checks a Parquet footer's claims against the file they describe, before any plan is made from them. The footer is
/// a few bytes anyone can write: a row count there drives how many shards and inputs are planned, so a 900 KB file that
/// claims 10^15 rows (or whose row groups all point at one data chunk) must be refused at open, in one line, instead of
/// planning work, memory or error files in proportion to the lie.
/// </summary>
/// <remarks>
/// A row is an image, so each row group's image column chunk must lie inside the file, must not share bytes with another
/// row group's chunk (a copied row group), and must hold at least one byte per row it claims. A real image is hundreds of
/// bytes or more; only a file of rows without images could be denser, and such rows carry nothing to measure.
/// </remarks>
internal static class ParquetFooterCheck
{
    /// <summary>Bytes of a Parquet file outside the row groups: the leading magic, then the footer length and magic.</summary>
    private const long MagicBytes = 4, TailBytes = 8;

    /// <exception cref="DatasetException">A claim the file cannot hold (one line naming the row group).</exception>
    public static void Check(ParquetReader reader, string imageColumn, long fileLength, string file)
    {
        var field = reader.Schema.GetDataFields().First(f => f.Path.ToString() == imageColumn);
        var chunks = new List<(long Start, long End, int Group)>(reader.RowGroupCount);
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            long rows = group.RowCount;
            var meta = group.GetMetadata(field)?.MetaData
                ?? throw Lie(file, $"row group {g} has no {imageColumn} column chunk");
            long start = Math.Min(meta.DataPageOffset, meta.DictionaryPageOffset is > 0 and var d ? d : long.MaxValue);
            long bytes = meta.TotalCompressedSize;
            if (rows < 0 || bytes < 0 || start < MagicBytes || start > fileLength - TailBytes - bytes)
                throw Lie(file, Inv($"row group {g} claims {rows} rows in {bytes} bytes at offset {start}, outside the file's {fileLength} bytes"));
            if (rows > bytes)
                throw Lie(file, Inv($"row group {g} claims {rows} rows, but its {imageColumn} column holds {bytes} bytes (less than one byte per image)"));
            chunks.Add((start, start + bytes, g));
        }
        // Disjoint chunks of at least a byte per row inside the file: all rows together are bounded by the file's size.
        chunks.Sort((a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : a.Group.CompareTo(b.Group));
        for (int i = 1; i < chunks.Count; i++)
            if (chunks[i].Start < chunks[i - 1].End)
                throw Lie(file, Inv($"row groups {chunks[i - 1].Group} and {chunks[i].Group} claim the same bytes of the {imageColumn} column (offset {chunks[i].Start})"));
    }

    private static DatasetException Lie(string file, string what)
        => new($"{file}: its footer does not match the file: {what}");

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
