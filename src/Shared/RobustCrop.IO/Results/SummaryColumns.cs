using Parquet;
using Parquet.Schema;
using RobustCrop.Core.Results;

namespace RobustCrop.IO.Results;

/// <summary>
/// Reads the declared columns the summary uses from an images or rics file, a row group at a time, into a
/// <see cref="ColumnBatch"/> whose typed arrays are reused from group to group: no row records, no boxing, memory bounded
/// by the row group (DESIGN §9, streaming). Columns are found by their declared name. A nullable column the file lacks
/// reads as nulls and a required one is an error naming the file, as <see cref="ResultParquet"/> reads them; the
/// partition column (model) reads as nulls where the file keeps it in its folder name and metadata only.
/// </summary>
internal static class SummaryColumns
{
    /// <summary>Reads group <paramref name="g"/>'s <paramref name="columns"/> into <paramref name="batch"/>.</summary>
    public static async Task ReadAsync(ParquetReader reader, int g, string file, IReadOnlyList<ResultColumn> columns,
        ColumnBatch batch, CancellationToken ct)
    {
        var fields = reader.Schema.Fields;
        using var group = reader.OpenRowGroupReader(g);
        int n = checked((int)group.RowCount);
        batch.Reset(n);
        foreach (var column in columns)
        {
            bool required = !column.Nullable && !ResultParquet.PartitionColumns.ContainsKey(column.Name);
            var f = Find(fields, column.Name, file, required);
            switch (column.Type)
            {
                case ColumnType.String:
                    var strings = batch.Slot<string?>(column);
                    if (f is null) Array.Clear(strings, 0, n);
                    else await group.ReadAsync(f, strings.AsMemory(0, n), cancellationToken: ct).ConfigureAwait(false);
                    break;
                case ColumnType.Int32:
                    await ReadIntsAsync(group, f, batch.Slot<int>(column), n, ct).ConfigureAwait(false);
                    break;
                case ColumnType.Boolean:
                    await ReadNullableAsync(group, f, batch.Slot<bool?>(column), n, ct).ConfigureAwait(false);
                    break;
                case ColumnType.Double:
                    await ReadNullableAsync(group, f, batch.Slot<double?>(column), n, ct).ConfigureAwait(false);
                    break;
                default:
                    throw new NotSupportedException($"the summary reads no {column.Type} column ('{column.Name}')");
            }
        }
    }

    /// <summary>Refuses a file that lacks a required column, before any row group is read (an empty file too).</summary>
    public static void CheckRequired(ParquetReader reader, string file, IReadOnlyList<ResultColumn> columns)
    {
        foreach (var column in columns)
            if (!column.Nullable && !ResultParquet.PartitionColumns.ContainsKey(column.Name))
                Find(reader.Schema.Fields, column.Name, file, required: true);
    }

    /// <summary>An int column: a null (or a column the file lacks) reads 0, since no summary rule needs its nulls.</summary>
    private static async Task ReadIntsAsync(ParquetRowGroupReader group, DataField? f, int[] into, int n, CancellationToken ct)
    {
        if (f is null)
        {
            Array.Clear(into, 0, n);
            return;
        }
        if (!f.IsNullable)
        {
            await group.ReadAsync<int>(f, into.AsMemory(0, n), cancellationToken: ct).ConfigureAwait(false);
            return;
        }
        var values = new int?[n];
        await group.ReadAsync<int>(f, values.AsMemory(), cancellationToken: ct).ConfigureAwait(false);
        for (int r = 0; r < n; r++) into[r] = values[r] ?? 0;
    }

    /// <summary>A required field is read as values, an optional one as values-or-null; a column the file lacks is all null.</summary>
    private static async Task ReadNullableAsync<T>(ParquetRowGroupReader group, DataField? f, T?[] into, int n, CancellationToken ct)
        where T : struct
    {
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

    private static DataField? Find(IReadOnlyList<Field> fields, string name, string file, bool required)
    {
        // Top-level fields only: the summary reads no list column.
        foreach (var f in fields)
            if (f is DataField d && string.Equals(d.Name, name, StringComparison.Ordinal)) return d;
        return required ? throw new InvalidDataException($"{file}: Parquet file lacks the required column '{name}'") : null;
    }
}
