using Parquet;
using Parquet.Schema;
using RobustCrop.Core.Results;

namespace RobustCrop.IO.Results;

/// <summary>
/// Reads only the columns the summary uses from an images or rics file, a row group at a time into typed arrays that are
/// reused from group to group: no row records, no boxing, memory bounded by the row group (DESIGN §9, streaming).
/// A nullable column the file lacks reads as nulls and a required one is an error naming the file, as
/// <see cref="ResultParquet"/> reads them.
/// </summary>
internal sealed class SummaryColumns
{
    private string?[] _keys = [];
    private string?[] _models = [];
    private string?[] _strings = [];
    private int[][] _ints = [];
    private int?[][] _nullableInts = [];
    private bool?[][] _bools = [];
    private double?[][] _doubles = [];

    public int Count { get; private set; }

    /// <summary>The group's image_key column.</summary>
    public ReadOnlySpan<string?> Keys => _keys.AsSpan(0, Count);

    /// <summary>The group's model column, or null when the file keeps it in its folder name and metadata only.</summary>
    public string?[]? Models { get; private set; }

    public string?[] Strings => _strings;

    public int[] Int(int i) => _ints[i];

    public bool? Bool(int i, int row) => _bools[i][row];

    public double? Double(int i, int row) => _doubles[i][row];

    /// <summary>Reads group <paramref name="g"/>: the key and model columns, then <paramref name="strings"/> (one string
    /// column, e.g. label or score), <paramref name="ints"/>, <paramref name="bools"/> and <paramref name="doubles"/>
    /// in the order given. A nullable int column reads 0 where null (no summary column needs its nulls).</summary>
    public async Task ReadAsync(ParquetReader reader, int g, string file, string? stringColumn, string[] ints, string[] bools,
        string[] doubles, CancellationToken ct)
    {
        var fields = reader.Schema.Fields;
        using var group = reader.OpenRowGroupReader(g);
        int n = checked((int)group.RowCount);
        Count = n;
        Grow(ref _keys, n);
        await ReadStringsAsync(group, Find(fields, "image_key", file, required: true)!, _keys, n, ct).ConfigureAwait(false);
        if (Find(fields, "model", file, required: false) is { } model)
        {
            Grow(ref _models, n);
            await ReadStringsAsync(group, model, _models, n, ct).ConfigureAwait(false);
            Models = _models;
        }
        else
        {
            Models = null;
        }
        if (stringColumn is not null)
        {
            Grow(ref _strings, n);
            if (Find(fields, stringColumn, file, required: false) is { } f)
                await ReadStringsAsync(group, f, _strings, n, ct).ConfigureAwait(false);
            else
                Array.Clear(_strings, 0, n);
        }
        Slots(ref _ints, ints.Length, n);
        Slots(ref _nullableInts, ints.Length, n);
        for (int i = 0; i < ints.Length; i++)
        {
            var f = Find(fields, ints[i], file, required: true)!;
            if (f.IsNullable)
            {
                await group.ReadAsync<int>(f, _nullableInts[i].AsMemory(0, n), cancellationToken: ct).ConfigureAwait(false);
                for (int r = 0; r < n; r++) _ints[i][r] = _nullableInts[i][r] ?? 0;
            }
            else
            {
                await group.ReadAsync<int>(f, _ints[i].AsMemory(0, n), cancellationToken: ct).ConfigureAwait(false);
            }
        }
        Slots(ref _bools, bools.Length, n);
        for (int i = 0; i < bools.Length; i++) await ReadNullableAsync(group, fields, bools[i], file, _bools[i], n, ct).ConfigureAwait(false);
        Slots(ref _doubles, doubles.Length, n);
        for (int i = 0; i < doubles.Length; i++) await ReadNullableAsync(group, fields, doubles[i], file, _doubles[i], n, ct).ConfigureAwait(false);
    }

    /// <summary>Nullable in the row type (or not): a required field is read as values, an optional one as values-or-null;
    /// a column the file lacks is all null.</summary>
    private static async Task ReadNullableAsync<T>(ParquetRowGroupReader group, IReadOnlyList<Field> fields, string name, string file, T?[] into,
        int n, CancellationToken ct) where T : struct
    {
        var f = Find(fields, name, file, required: false);
        if (f is null)
        {
            Array.Clear(into, 0, n);
            return;
        }
        if (f.IsNullable)
        {
            await group.ReadAsync<T>(f, into.AsMemory(0, n), cancellationToken: ct).ConfigureAwait(false);
            return;
        }
        var values = new T[n];
        await group.ReadAsync<T>(f, values.AsMemory(), cancellationToken: ct).ConfigureAwait(false);
        for (int r = 0; r < n; r++) into[r] = values[r];
    }

    private static async Task ReadStringsAsync(ParquetRowGroupReader group, DataField f, string?[] into, int n, CancellationToken ct)
        => await group.ReadAsync(f, into.AsMemory(0, n), cancellationToken: ct).ConfigureAwait(false);

    private static DataField? Find(IReadOnlyList<Field> fields, string name, string file, bool required)
    {
        // Top-level fields only: the summary reads no list column.
        foreach (var f in fields)
            if (f is DataField d && string.Equals(d.Name, name, StringComparison.Ordinal)) return d;
        return required ? throw new InvalidDataException($"{file}: Parquet file lacks the required column '{name}'") : null;
    }

    private static void Grow<T>(ref T[] array, int n)
    {
        if (array.Length < n) array = new T[n];
    }

    private static void Slots<T>(ref T[][] arrays, int count, int n)
    {
        if (arrays.Length < count) Array.Resize(ref arrays, count);
        for (int i = 0; i < count; i++)
            if (arrays[i] is null || arrays[i].Length < n) arrays[i] = new T[n];
    }
}
