using System.Reflection;
using System.Text;
using Parquet;
using Parquet.Schema;
using RobustCrop.Core.Results;

namespace RobustCrop.IO.Results;

/// <summary>Maps a row type's declared columns (<see cref="ResultSchemas"/>) to Parquet: one column per declaration, in
/// order, written from the declared values. Rows are read back through the record's constructor, whose parameters must
/// be the declared columns in the same order, with the same types and nullability: a disagreement fails here, at the
/// first use, instead of shifting values into the wrong field. A table with no declaration (a gallery, the zoo table)
/// gets one from its record: a column per constructor parameter, named in snake_case.</summary>
internal sealed class ParquetColumns<TRow> where TRow : class
{
    private readonly ResultColumn<TRow>[] _columns;
    private readonly ConstructorInfo? _constructor;

    /// <summary>Writes <paramref name="columns"/> in the order given and cannot read: a file laid out as another writer
    /// may lay it out (the tests check that readers pick columns by name).</summary>
    internal ParquetColumns(IReadOnlyList<ResultColumn<TRow>> columns) => _columns = [.. columns];

    public ParquetColumns()
    {
        var type = typeof(TRow);
        var constructor = type.GetConstructors()
            .OrderByDescending(c => c.GetParameters().Length)
            .First();
        _constructor = constructor;
        var reflected = FromRecord(type, constructor);
        var declared = ResultSchemas.Of<TRow>();
        if (declared is not null) Check(declared, reflected);
        _columns = [.. declared ?? reflected];
    }

    private static ResultColumn<TRow>[] FromRecord(Type type, ConstructorInfo constructor)
    {
        var nullability = new NullabilityInfoContext();
        return constructor.GetParameters().Select(p =>
        {
            var prop = type.GetProperty(p.Name!)
                ?? throw new InvalidOperationException($"{type.Name}.{p.Name} has no property.");
            var underlying = System.Nullable.GetUnderlyingType(prop.PropertyType);
            var clr = underlying ?? prop.PropertyType;
            var kind = clr == typeof(int) ? ColumnType.Int32
                : clr == typeof(long) ? ColumnType.Int64
                : clr == typeof(float) ? ColumnType.Float
                : clr == typeof(double) ? ColumnType.Double
                : clr == typeof(bool) ? ColumnType.Boolean
                : clr == typeof(string) ? ColumnType.String
                : clr == typeof(float[]) ? ColumnType.FloatList
                : throw new NotSupportedException($"{type.Name}.{prop.Name}: {clr.Name} has no Parquet mapping.");
            bool nullable = underlying is not null
                || (!clr.IsValueType && nullability.Create(prop).ReadState == NullabilityState.Nullable);
            return new ResultColumn<TRow>(ResultParquet.ColumnName(prop.Name), kind, nullable, "", r => prop.GetValue(r));
        }).ToArray();
    }

    /// <summary>The declaration and the record must agree column for column, since rows are built positionally.</summary>
    private static void Check(IReadOnlyList<ResultColumn<TRow>> declared, ResultColumn<TRow>[] record)
    {
        string row = typeof(TRow).Name;
        if (declared.Count != record.Length)
            throw new InvalidOperationException($"{row} declares {declared.Count} columns but its record has {record.Length} fields.");
        for (int i = 0; i < record.Length; i++)
        {
            var (d, r) = (declared[i], record[i]);
            if (d.Name != r.Name || d.Type != r.Type || d.Nullable != r.Nullable)
                throw new InvalidOperationException($"{row} column {i + 1} is declared '{d.Name}' {d.Type}{(d.Nullable ? "?" : "")} but "
                    + $"the record's field is '{r.Name}' {r.Type}{(r.Nullable ? "?" : "")}.");
        }
    }

    public IReadOnlyList<string> AllColumnNames => _columns.Select(c => c.Name).ToArray();

    /// <param name="omitted">Columns not stored: a Hive partition column, whose value the folder name carries.</param>
    public async Task WriteAsync(Stream output, IReadOnlyList<TRow> rows, IReadOnlyDictionary<string, string>? metadata,
        int rowGroupSize, CancellationToken cancellationToken, IReadOnlyCollection<string>? omitted = null)
    {
        // A list column that no row fills is left out altogether, so a run without embeddings has no
        // embedding column rather than a column of nulls that readers must still decode.
        var columns = _columns
            .Where(c => c.Type != ColumnType.FloatList || rows.Any(r => c.Value(r) is not null))
            .Where(c => omitted is null || !omitted.Contains(c.Name))
            .ToArray();
        var fields = columns.Select(CreateField).ToArray();
        var schema = new ParquetSchema(fields);

        await using var writer = await ParquetWriter.CreateAsync(schema, output, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (metadata is not null)
            writer.CustomMetadata = metadata.ToDictionary(kv => kv.Key, kv => kv.Value);
        for (int start = 0; start < rows.Count; start += rowGroupSize)
        {
            int count = Math.Min(rowGroupSize, rows.Count - start);
            using var group = writer.CreateRowGroup();
            for (int i = 0; i < columns.Length; i++)
            {
                await WriteColumnAsync(group, columns[i], fields[i], rows, start, count, cancellationToken).ConfigureAwait(false);
            }
            group.CompleteValidate();
        }
    }

    public async Task<List<TRow>> ReadAsync(Stream input, CancellationToken cancellationToken)
    {
        var constructor = _constructor
            ?? throw new InvalidOperationException("a write-only column mapping cannot read rows");
        await using var reader = await ParquetReader.CreateAsync(input, leaveStreamOpen: true, cancellationToken: cancellationToken).ConfigureAwait(false);
        var topLevel = reader.Schema.Fields.ToDictionary(f => f.Name, StringComparer.Ordinal);
        var result = new List<TRow>();
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            var group = reader.OpenRowGroupReader(g);
            int count = checked((int)group.RowCount);
            var values = new object?[_columns.Length][];
            for (int c = 0; c < _columns.Length; c++)
            {
                var column = _columns[c];
                if (!topLevel.TryGetValue(column.Name, out var field))
                {
                    // A partition column is not stored in the file (its folder name is the value); the file's
                    // key-value metadata repeats it, so a file read on its own still knows it.
                    if (ResultParquet.PartitionColumns.TryGetValue(column.Name, out var key)
                        && reader.CustomMetadata.TryGetValue(key, out var partitionValue))
                    {
                        values[c] = Enumerable.Repeat<object?>(partitionValue, count).ToArray();
                        continue;
                    }
                    if (!column.Nullable)
                        throw new InvalidDataException($"Parquet file lacks the required column '{column.Name}'.");
                    values[c] = new object?[count];
                    continue;
                }
                values[c] = await ReadColumnAsync(group, column, field, count, cancellationToken).ConfigureAwait(false);
            }
            for (int r = 0; r < count; r++)
            {
                var args = new object?[_columns.Length];
                for (int c = 0; c < _columns.Length; c++)
                {
                    args[c] = values[c][r];
                }
                result.Add((TRow)constructor.Invoke(args));
            }
        }
        return result;
    }

    private static Field CreateField(ResultColumn<TRow> column) => column.Type switch
    {
        // Elements are required: an embedding is a whole vector or absent, never a vector with holes.
        ColumnType.FloatList => new ListField(column.Name, new DataField<float>("element", nullable: false)),
        ColumnType.Int32 => new DataField(column.Name, typeof(int), column.Nullable),
        ColumnType.Int64 => new DataField(column.Name, typeof(long), column.Nullable),
        ColumnType.Float => new DataField(column.Name, typeof(float), column.Nullable),
        ColumnType.Double => new DataField(column.Name, typeof(double), column.Nullable),
        ColumnType.Boolean => new DataField(column.Name, typeof(bool), column.Nullable),
        ColumnType.String => new DataField(column.Name, typeof(string), column.Nullable),
        _ => throw new NotSupportedException(column.Type.ToString()),
    };

    private static Task WriteColumnAsync(ParquetRowGroupWriter group, ResultColumn<TRow> column, Field field,
        IReadOnlyList<TRow> rows, int start, int count, CancellationToken ct)
    {
        var p = column.Value;
        return column.Type switch
        {
            ColumnType.FloatList => WriteListAsync(group, ((ListField)field).Item, rows, start, count, p, ct),
            ColumnType.String => WriteStringsAsync(group, (DataField)field, rows, start, count, p),
            ColumnType.Int32 => WriteStructAsync<int>(group, (DataField)field, column.Nullable, rows, start, count, p, ct),
            ColumnType.Int64 => WriteStructAsync<long>(group, (DataField)field, column.Nullable, rows, start, count, p, ct),
            ColumnType.Float => WriteStructAsync<float>(group, (DataField)field, column.Nullable, rows, start, count, p, ct),
            ColumnType.Double => WriteStructAsync<double>(group, (DataField)field, column.Nullable, rows, start, count, p, ct),
            ColumnType.Boolean => WriteStructAsync<bool>(group, (DataField)field, column.Nullable, rows, start, count, p, ct),
            _ => throw new NotSupportedException(column.Type.ToString()),
        };
    }

    private static async Task WriteStructAsync<T>(ParquetRowGroupWriter group, DataField field, bool nullable,
        IReadOnlyList<TRow> rows, int start, int count, Func<TRow, object?> p, CancellationToken ct) where T : struct
    {
        if (nullable)
        {
            var values = new T?[count];
            for (int i = 0; i < count; i++)
            {
                values[i] = (T?)p(rows[start + i]);
            }
            await group.WriteAsync<T>(field, values, cancellationToken: ct).ConfigureAwait(false);
        }
        else
        {
            var values = new T[count];
            for (int i = 0; i < count; i++)
            {
                values[i] = (T)p(rows[start + i])!;
            }
            await group.WriteAsync<T>(field, values, cancellationToken: ct).ConfigureAwait(false);
        }
    }

    private static async Task WriteStringsAsync(ParquetRowGroupWriter group, DataField field,
        IReadOnlyList<TRow> rows, int start, int count, Func<TRow, object?> p)
    {
        var values = new string[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = (string)p(rows[start + i])!;
        }
        await group.WriteAsync(field, values).ConfigureAwait(false);
    }

    private static async Task WriteListAsync(ParquetRowGroupWriter group, Field itemField,
        IReadOnlyList<TRow> rows, int start, int count, Func<TRow, object?> p, CancellationToken ct)
    {
        var item = (DataField)itemField;
        // Dremel levels for optional list<required float>: 0 = null list, max-1 = empty list,
        // max = an element present; repetition 0 starts a row, 1 continues its list.
        int maxDef = item.MaxDefinitionLevel;
        var values = new List<float>();
        var definition = new List<int>();
        var repetition = new List<int>();
        for (int i = 0; i < count; i++)
        {
            var list = (float[]?)p(rows[start + i]);
            if (list is null || list.Length == 0)
            {
                definition.Add(list is null ? maxDef - 2 : maxDef - 1);
                repetition.Add(0);
                continue;
            }
            for (int j = 0; j < list.Length; j++)
            {
                values.Add(list[j]);
                definition.Add(maxDef);
                repetition.Add(j == 0 ? 0 : 1);
            }
        }
        await group.WriteAllPartsAsync<float>(item, values.ToArray(), definition.ToArray(), repetition.ToArray(), ct).ConfigureAwait(false);
    }

    private static async Task<object?[]> ReadColumnAsync(ParquetRowGroupReader group, ResultColumn<TRow> column, Field field,
        int count, CancellationToken ct)
    {
        if (column.Type == ColumnType.FloatList)
        {
            if (field is not ListField list || list.Item is not DataField item)
                throw new InvalidDataException($"Column '{column.Name}' is not a list of floats.");
            return await ReadListAsync(group, item, count, ct).ConfigureAwait(false);
        }
        if (field is not DataField data)
            throw new InvalidDataException($"Column '{column.Name}' is not a plain column.");
        object?[] result = column.Type switch
        {
            ColumnType.String => await ReadStringsAsync(group, data, count, ct).ConfigureAwait(false),
            ColumnType.Int32 => await ReadStructAsync<int>(group, data, count, ct).ConfigureAwait(false),
            ColumnType.Int64 => await ReadStructAsync<long>(group, data, count, ct).ConfigureAwait(false),
            ColumnType.Float => await ReadStructAsync<float>(group, data, count, ct).ConfigureAwait(false),
            ColumnType.Double => await ReadStructAsync<double>(group, data, count, ct).ConfigureAwait(false),
            ColumnType.Boolean => await ReadStructAsync<bool>(group, data, count, ct).ConfigureAwait(false),
            _ => throw new NotSupportedException(column.Type.ToString()),
        };
        if (!column.Nullable && Array.IndexOf(result, null) >= 0)
            throw new InvalidDataException($"Column '{column.Name}' has a null where the row type requires a value.");
        return result;
    }

    private static async Task<object?[]> ReadStructAsync<T>(ParquetRowGroupReader group, DataField field, int count,
        CancellationToken ct) where T : struct
    {
        var result = new object?[count];
        if (field.IsNullable)
        {
            var values = new T?[count];
            await group.ReadAsync<T>(field, values.AsMemory(), cancellationToken: ct).ConfigureAwait(false);
            for (int i = 0; i < count; i++)
            {
                result[i] = values[i];
            }
        }
        else
        {
            var values = new T[count];
            await group.ReadAsync<T>(field, values.AsMemory(), cancellationToken: ct).ConfigureAwait(false);
            for (int i = 0; i < count; i++)
            {
                result[i] = values[i];
            }
        }
        return result;
    }

    private static async Task<object?[]> ReadStringsAsync(ParquetRowGroupReader group, DataField field, int count,
        CancellationToken ct)
    {
        var values = new string?[count];
        await group.ReadAsync(field, values.AsMemory(), cancellationToken: ct).ConfigureAwait(false);
        return values;
    }

    /// <remarks>Reads the lists other writers make too: DuckDB, pyarrow and Spark declare list elements nullable and
    /// often store doubles; a list holding an actual null element is refused (an embedding has no missing values).</remarks>
    private static async Task<object?[]> ReadListAsync(ParquetRowGroupReader group, DataField item, int count,
        CancellationToken ct)
    {
        long levels = group.GetMetadata(item)?.MetaData?.NumValues
            ?? throw new InvalidDataException($"List column '{item.Path}' has no chunk metadata.");
        var values = new float[levels];
        var definition = new int[levels];
        var repetition = new int[levels];
        if (item.ClrType == typeof(double))
        {
            var wide = new double[levels];
            await group.ReadRawAsync<double>(item, wide, definition, repetition, ct).ConfigureAwait(false);
            for (long i = 0; i < levels; i++) values[i] = (float)wide[i];
        }
        else if (item.ClrType == typeof(float))
        {
            await group.ReadRawAsync<float>(item, values, definition, repetition, ct).ConfigureAwait(false);
        }
        else
        {
            throw new InvalidDataException($"List column '{item.Path}' holds {item.ClrType.Name} values, not floats.");
        }
        int maxDef = item.MaxDefinitionLevel;
        // Levels: a present element is maxDef; a null element (nullable elements only) maxDef − 1; an empty list one below.
        int emptyDef = item.IsNullable ? maxDef - 2 : maxDef - 1;
        var result = new object?[count];
        List<float>? current = null;
        int row = -1;
        int v = 0;
        for (int i = 0; i < definition.Length; i++)
        {
            if (repetition[i] == 0)
            {
                if (row >= 0)
                    result[row] = current?.ToArray();
                row++;
                current = definition[i] >= emptyDef ? new List<float>() : null;
            }
            if (definition[i] == maxDef)
                current!.Add(values[v++]);
            else if (item.IsNullable && definition[i] == maxDef - 1)
                throw new InvalidDataException($"List column '{item.Path}' has a null element in row {row + 1} of its row group.");
        }
        if (row >= 0)
            result[row] = current?.ToArray();
        if (row != count - 1)
            throw new InvalidDataException($"List column '{item.Path}' has {row + 1} rows, expected {count}.");
        return result;
    }
}

/// <summary>Builds field names from property names.</summary>
internal static class SnakeCase
{
    /// <summary>"ImageKey" → "image_key", "Consistency1px" → "consistency_1px", "Cosine1pxMin" → "cosine_1px_min",
    /// "MinP05" → "min_p05": a new word starts at an upper-case letter and at a digit after a lower-case
    /// letter (a digit after a one-letter word such as "P" stays in that word).</summary>
    public static string From(string name)
    {
        var sb = new StringBuilder(name.Length + 8);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (i > 0)
            {
                char prev = name[i - 1];
                bool upperStart = char.IsUpper(c) && (char.IsLower(prev) || char.IsDigit(prev)
                    || (char.IsUpper(prev) && i + 1 < name.Length && char.IsLower(name[i + 1])));
                bool digitStart = char.IsDigit(c) && char.IsLower(prev);
                if ((upperStart || digitStart) && prev != '_')
                    sb.Append('_');
            }
            sb.Append(char.ToLowerInvariant(c));
        }
        return sb.ToString();
    }
}
