namespace RobustCrop.Core.Results;

/// <summary>
/// Some declared columns of a run of rows, as typed arrays picked by column name: what the summary reads. The IO layer
/// fills it from a Parquet row group (reusing the arrays from group to group); <see cref="FromRows{TRow}"/> fills it from
/// row records. Int columns read 0 where null (no summary rule needs their nulls); bool and double columns keep nulls.
/// </summary>
public sealed class ColumnBatch
{
    private readonly Dictionary<string, Array> _columns = new(StringComparer.Ordinal);

    public int Count { get; private set; }

    /// <summary>Starts a new run of <paramref name="count"/> rows; arrays already held are reused when large enough.</summary>
    public void Reset(int count) => Count = count;

    /// <summary>The array that holds <paramref name="column"/> (at least <see cref="Count"/> long), for a filler to write.</summary>
    public T[] Slot<T>(ResultColumn column)
    {
        ArgumentNullException.ThrowIfNull(column);
        if (_columns.TryGetValue(column.Name, out var held) && held is T[] typed && typed.Length >= Count) return typed;
        var fresh = new T[Math.Max(Count, 1)];
        _columns[column.Name] = fresh;
        return fresh;
    }

    public int[] Ints(ResultColumn column) => Get<int>(column, ColumnType.Int32);

    public bool?[] Bools(ResultColumn column) => Get<bool?>(column, ColumnType.Boolean);

    public double?[] Doubles(ResultColumn column) => Get<double?>(column, ColumnType.Double);

    public string?[] Strings(ResultColumn column) => Get<string?>(column, ColumnType.String);

    /// <summary>The <paramref name="wanted"/> columns of <paramref name="rows"/>, through the schema's declared values.</summary>
    public static ColumnBatch FromRows<TRow>(IReadOnlyList<ResultColumn<TRow>> schema, IEnumerable<ResultColumn> wanted,
        IReadOnlyList<TRow> rows)
    {
        ArgumentNullException.ThrowIfNull(wanted);
        ArgumentNullException.ThrowIfNull(rows);
        var batch = new ColumnBatch();
        batch.Reset(rows.Count);
        foreach (var w in wanted)
        {
            var c = schema.Column(w.Name);
            switch (c.Type)
            {
                case ColumnType.Int32: Fill(batch.Slot<int>(c), rows, r => c.Value(r) is int i ? i : 0); break;
                case ColumnType.Boolean: Fill(batch.Slot<bool?>(c), rows, r => (bool?)c.Value(r)); break;
                case ColumnType.Double: Fill(batch.Slot<double?>(c), rows, r => (double?)c.Value(r)); break;
                case ColumnType.String: Fill(batch.Slot<string?>(c), rows, r => (string?)c.Value(r)); break;
                default: throw new NotSupportedException($"a {c.Type} column is not read into a summary batch");
            }
        }
        return batch;
    }

    private static void Fill<TRow, T>(T[] into, IReadOnlyList<TRow> rows, Func<TRow, T> value)
    {
        for (int i = 0; i < rows.Count; i++) into[i] = value(rows[i]);
    }

    private T[] Get<T>(ResultColumn column, ColumnType type)
    {
        ArgumentNullException.ThrowIfNull(column);
        if (column.Type != type) throw new ArgumentException($"column '{column.Name}' is {column.Type}, not {type}", nameof(column));
        return _columns.TryGetValue(column.Name, out var a) && a is T[] typed
            ? typed
            : throw new InvalidOperationException($"column '{column.Name}' was not read into this batch");
    }
}
