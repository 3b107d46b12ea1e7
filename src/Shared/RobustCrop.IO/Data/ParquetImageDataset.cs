using System.Collections.Immutable;
using System.Globalization;
using Parquet;
using Parquet.Schema;
using RobustCrop.Core.Data;

namespace RobustCrop.IO.Data;

/// <summary>
/// A Parquet file with encoded images in a binary column (<c>image</c>, <c>jpg</c>, <c>png</c> or
/// <c>bytes</c>, the first found in that order; a Hugging Face <c>image</c> struct's <c>bytes</c> field
/// also matches), an optional <c>label</c> (or <c>cls</c>) column of text or integers and an optional
/// <c>key</c> column. Shards are row ranges.
/// </summary>
/// <remarks>
/// Parquet stores a column chunk per row group, so reading a shard reads the whole row groups it
/// touches: memory holds one row group's images at a time. A row group that cannot be read becomes one
/// error record per row in the shard; a null or oversized image cell becomes an error record.
/// The footer's row counts are checked against the file before anything is planned (<see cref="ParquetFooterCheck"/>):
/// a forged footer is one line at open, never a plan in proportion to the rows it claims.
/// </remarks>
public sealed class ParquetImageDataset : IImageDataset
{
    private static readonly ImmutableArray<string> ImageColumns = ["image", "jpg", "png", "bytes"];
    private static readonly ImmutableArray<string> LabelColumns = ["label", "cls"];

    private readonly string _path;
    private readonly long _maxCellBytes;
    private readonly long[] _groupRows;
    private readonly string _imageColumn;
    private readonly string? _labelColumn;
    private readonly string? _keyColumn;
    private readonly Lazy<IReadOnlyDictionary<long, long>> _duplicates;

    public ParquetImageDataset(string path, string? name = null, long maxCellBytes = ImageFolderDataset.DefaultMaxFileBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCellBytes);
        if (!File.Exists(path))
            throw new DatasetException($"data not found: {path}");
        _path = Path.GetFullPath(path);
        _maxCellBytes = maxCellBytes;
        _duplicates = new Lazy<IReadOnlyDictionary<long, long>>(FindDuplicateKeys);
        Name = name ?? ShardPlanning.NameFromPath(_path);
        string file = Path.GetFileName(_path);
        try
        {
            var reader = OpenReader();
            try
            {
                (_imageColumn, _labelColumn, _keyColumn, _groupRows) = Describe(reader, file);
                ParquetFooterCheck.Check(reader, _imageColumn, new FileInfo(_path).Length, file);
            }
            finally
            {
                Close(reader);
            }
        }
        catch (Exception e) when (e is not DatasetException and not OutOfMemoryException)
        {
            throw new DatasetException($"{file}: not a readable Parquet file: {e.Message}", e);
        }
    }

    private static (string Image, string? Label, string? Key, long[] GroupRows) Describe(ParquetReader reader, string file)
    {
        var fields = reader.Schema.GetDataFields();
        var image = ImageColumns
            .Select(n => fields.FirstOrDefault(f => IsBinary(f) && string.Equals(f.Name, n, StringComparison.OrdinalIgnoreCase)))
            .FirstOrDefault(f => f is not null)
            ?? throw new DatasetException($"{file}: no binary image column (image, jpg, png or bytes)");
        string imageColumn = image.Path.ToString();
        string? labelColumn = LabelColumns
            .Select(n => reader.Schema.Fields.OfType<DataField>().FirstOrDefault(f => string.Equals(f.Name, n, StringComparison.OrdinalIgnoreCase)))
            .FirstOrDefault(f => f is not null && IsTextLike(f))?.Path.ToString();
        string? keyColumn = reader.Schema.Fields.OfType<DataField>()
            .FirstOrDefault(f => string.Equals(f.Name, "key", StringComparison.OrdinalIgnoreCase) && IsTextLike(f))?.Path.ToString();
        long[] groupRows = Enumerable.Range(0, reader.RowGroupCount).Select(g =>
        {
            using var group = reader.OpenRowGroupReader(g);
            return group.RowCount;
        }).ToArray();
        return (imageColumn, labelColumn, keyColumn, groupRows);
    }

    public string Name { get; }

    public long Count => _groupRows.Sum();

    public IEnumerable<ListedFile> ListFiles() => [ListedFiles.Local(Path.GetFileName(_path), _path)];

    public IReadOnlyList<DatasetShard> PlanShards(int shardSize)
        => ShardPlanning.Slices(Count, shardSize)
            .Select((s, i) => new DatasetShard(new ShardId(i), ShardSource.Of(Name), s.Start, s.Count))
            .ToList();

    public IEnumerable<ImageRecord> ReadShard(DatasetShard shard)
    {
        var (start, end) = ShardPlanning.Range(shard, Count);
        if (start >= end)
            yield break;
        ParquetReader? reader = null;
        string? openError = null;
        try
        {
            reader = OpenReader();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            openError = $"cannot read {Path.GetFileName(_path)}: {e.Message}";
        }
        try
        {
            long groupStart = 0;
            for (int g = 0; g < _groupRows.Length && groupStart < end; groupStart += _groupRows[g], g++)
            {
                long groupEnd = groupStart + _groupRows[g];
                if (groupEnd <= start)
                    continue;
                long from = Math.Max(start, groupStart), to = Math.Min(end, groupEnd);
                var (columns, error) = reader is null ? (null, openError) : ReadGroup(reader, g);
                for (long row = from; row < to; row++)
                    yield return ToRecord(row, (int)(row - groupStart), columns, error);
            }
        }
        finally
        {
            if (reader is not null)
                Close(reader);
        }
    }

    private static void Close(ParquetReader reader) => reader.DisposeAsync().AsTask().GetAwaiter().GetResult();

    private ImageRecord ToRecord(long row, int inGroup, GroupColumns? columns, string? error)
    {
        string key = $"{Name}/{(columns?.Keys?[inGroup] ?? row.ToString("D6", CultureInfo.InvariantCulture))}";
        if (columns is null)
            return new ImageRecord(key, null, null, null, error);
        // A key must name one image: a repeat is an error row (its first row is measured), wherever the two rows fall.
        if (_duplicates.Value.TryGetValue(row, out long first))
            return new ImageRecord(key, columns.Labels?[inGroup], null, null,
                string.Create(CultureInfo.InvariantCulture, $"duplicate key: row {row} repeats the key of row {first}"));
        string? label = columns.Labels?[inGroup];
        byte[]? image = columns.Images[inGroup];
        if (image is null)
            return new ImageRecord(key, label, null, null, $"no image bytes in column {_imageColumn}");
        if (image.Length > _maxCellBytes)
            return new ImageRecord(key, label, null, null, $"image is {image.Length} bytes, over the {_maxCellBytes}-byte limit");
        return new ImageRecord(key, label, image, null);
    }

    /// <summary>Row → the earlier row with the same key, for every row whose key repeats one before it. Reads the key
    /// column alone (no image bytes), once per dataset object.</summary>
    private IReadOnlyDictionary<long, long> FindDuplicateKeys()
    {
        var duplicates = new Dictionary<long, long>();
        if (_keyColumn is null) return duplicates;
        var firstRow = new Dictionary<string, long>(StringComparer.Ordinal);
        var reader = OpenReader();
        try
        {
            var field = reader.Schema.GetDataFields().First(f => f.Path.ToString() == _keyColumn);
            long start = 0;
            for (int g = 0; g < _groupRows.Length; start += _groupRows[g], g++)
            {
                using var group = reader.OpenRowGroupReader(g);
                var keys = ReadText(group, field, checked((int)group.RowCount));
                for (int i = 0; i < keys.Length; i++)
                {
                    if (keys[i] is not { } k) continue;
                    if (!firstRow.TryAdd(k, start + i)) duplicates[start + i] = firstRow[k];
                }
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // An unreadable key column fails each row group's read with its own error row; nothing to mark here.
            _ = e;
        }
        finally
        {
            Close(reader);
        }
        return duplicates;
    }

    private sealed record GroupColumns(byte[]?[] Images, string?[]? Labels, string?[]? Keys);

    // Parquet.Net is async-only; the dataset interface is synchronous and reads local files, where
    // blocking on the tasks has no synchronisation context to deadlock on.
    private ParquetReader OpenReader()
        => ParquetReader.CreateAsync(File.OpenRead(_path), leaveStreamOpen: false).GetAwaiter().GetResult();

    private (GroupColumns? Columns, string? Error) ReadGroup(ParquetReader reader, int g)
    {
        try
        {
            using var group = reader.OpenRowGroupReader(g);
            int rows = checked((int)group.RowCount);
            var fields = reader.Schema.GetDataFields();
            DataField Field(string path) => fields.First(f => f.Path.ToString() == path);
            var images = new byte[]?[rows];
            group.ReadAsync(Field(_imageColumn), images.AsMemory()).GetAwaiter().GetResult();
            var labels = _labelColumn is null ? null : ReadText(group, Field(_labelColumn), rows);
            var keys = _keyColumn is null ? null : ReadText(group, Field(_keyColumn), rows);
            return (new GroupColumns(images, labels, keys), null);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return (null, $"cannot read row group {g} of {Path.GetFileName(_path)}: {e.Message}");
        }
    }

    // Parquet.Net describes a binary column it reads back as ReadOnlyMemory<byte> (a string one as
    // ReadOnlyMemory<char>), where a schema written by hand says byte[] (string).
    private static bool IsBinary(DataField f) => f.ClrType == typeof(byte[]) || f.ClrType == typeof(ReadOnlyMemory<byte>);

    private static bool IsString(DataField f) => f.ClrType == typeof(string) || f.ClrType == typeof(ReadOnlyMemory<char>);

    private static bool IsTextLike(DataField f)
        => IsString(f) || f.ClrType == typeof(int) || f.ClrType == typeof(long)
           || f.ClrType == typeof(short) || f.ClrType == typeof(byte) || f.ClrType == typeof(sbyte);

    private static string?[] ReadText(ParquetRowGroupReader group, DataField field, int rows)
    {
        if (IsString(field))
        {
            var text = new string?[rows];
            group.ReadAsync(field, text.AsMemory()).GetAwaiter().GetResult();
            return text;
        }
        return field.ClrType == typeof(int) ? Numbers<int>(group, field, rows)
            : field.ClrType == typeof(long) ? Numbers<long>(group, field, rows)
            : field.ClrType == typeof(short) ? Numbers<short>(group, field, rows)
            : field.ClrType == typeof(byte) ? Numbers<byte>(group, field, rows)
            : Numbers<sbyte>(group, field, rows);
    }

    private static string?[] Numbers<T>(ParquetRowGroupReader group, DataField field, int rows) where T : struct, IFormattable
    {
        if (field.IsNullable)
        {
            var values = new T?[rows];
            group.ReadAsync<T>(field, values.AsMemory()).GetAwaiter().GetResult();
            return values.Select(v => v?.ToString(null, CultureInfo.InvariantCulture)).ToArray();
        }
        var plain = new T[rows];
        group.ReadAsync<T>(field, plain.AsMemory()).GetAwaiter().GetResult();
        return plain.Select(v => (string?)v.ToString(null, CultureInfo.InvariantCulture)).ToArray();
    }
}
