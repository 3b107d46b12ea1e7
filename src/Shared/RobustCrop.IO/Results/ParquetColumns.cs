using System.Reflection;
using System.Text;
using Parquet;
using Parquet.Schema;

namespace RobustCrop.IO.Results;

/// <summary>Maps a positional record to Parquet columns by reflection: one column per constructor
/// parameter, in order, named in snake_case. Reflection keeps the three row types and the summary
/// table on one tested code path instead of four hand-written ones that drift apart.</summary>
internal sealed class ParquetColumns<TRow> where TRow : class
{
    private enum Kind { Int32, Int64, Single, Double, Boolean, String, SingleList }

    private sealed record Column(PropertyInfo Property, string Name, Kind Kind, bool Nullable);

    private readonly Column[] _columns;
    private readonly ConstructorInfo _constructor;

    public ParquetColumns()
    {
        var type = typeof(TRow);
        _constructor = type.GetConstructors()
            .OrderByDescending(c => c.GetParameters().Length)
            .First();
        var nullability = new NullabilityInfoContext();
        _columns = _constructor.GetParameters().Select(p =>
        {
            var prop = type.GetProperty(p.Name!)
                ?? throw new InvalidOperationException($"{type.Name}.{p.Name} has no property.");
            var underlying = System.Nullable.GetUnderlyingType(prop.PropertyType);
            var clr = underlying ?? prop.PropertyType;
            Kind kind = clr == typeof(int) ? Kind.Int32
                : clr == typeof(long) ? Kind.Int64
                : clr == typeof(float) ? Kind.Single
                : clr == typeof(double) ? Kind.Double
                : clr == typeof(bool) ? Kind.Boolean
                : clr == typeof(string) ? Kind.String
                : clr == typeof(float[]) ? Kind.SingleList
                : throw new NotSupportedException($"{type.Name}.{prop.Name}: {clr.Name} has no Parquet mapping.");
            bool nullable = underlying is not null
                || (!clr.IsValueType && nullability.Create(prop).ReadState == NullabilityState.Nullable);
            return new Column(prop, ResultParquet.ColumnName(prop.Name), kind, nullable);
        }).ToArray();
    }

    public IReadOnlyList<string> AllColumnNames => _columns.Select(c => c.Name).ToArray();

    /// <param name="omitted">Columns not stored: a Hive partition column, whose value the folder name carries.</param>
    public async Task WriteAsync(Stream output, IReadOnlyList<TRow> rows, IReadOnlyDictionary<string, string>? metadata,
        int rowGroupSize, CancellationToken cancellationToken, IReadOnlyCollection<string>? omitted = null)
    {
        // A list column that no row fills is left out altogether, so a run without embeddings has no
        // embedding column rather than a column of nulls that readers must still decode.
        var columns = _columns
            .Where(c => c.Kind != Kind.SingleList || rows.Any(r => c.Property.GetValue(r) is not null))
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
                result.Add((TRow)_constructor.Invoke(args));
            }
        }
        return result;
    }

    private static Field CreateField(Column column) => column.Kind switch
    {
        // Elements are required: an embedding is a whole vector or absent, never a vector with holes.
        Kind.SingleList => new ListField(column.Name, new DataField<float>("element", nullable: false)),
        Kind.Int32 => new DataField(column.Name, typeof(int), column.Nullable),
        Kind.Int64 => new DataField(column.Name, typeof(long), column.Nullable),
        Kind.Single => new DataField(column.Name, typeof(float), column.Nullable),
        Kind.Double => new DataField(column.Name, typeof(double), column.Nullable),
        Kind.Boolean => new DataField(column.Name, typeof(bool), column.Nullable),
        Kind.String => new DataField(column.Name, typeof(string), column.Nullable),
        _ => throw new NotSupportedException(column.Kind.ToString()),
    };

    private static Task WriteColumnAsync(ParquetRowGroupWriter group, Column column, Field field,
        IReadOnlyList<TRow> rows, int start, int count, CancellationToken ct)
    {
        var p = column.Property;
        return column.Kind switch
        {
            Kind.SingleList => WriteListAsync(group, ((ListField)field).Item, rows, start, count, p, ct),
            Kind.String => WriteStringsAsync(group, (DataField)field, rows, start, count, p),
            Kind.Int32 => WriteStructAsync<int>(group, (DataField)field, column.Nullable, rows, start, count, p, ct),
            Kind.Int64 => WriteStructAsync<long>(group, (DataField)field, column.Nullable, rows, start, count, p, ct),
            Kind.Single => WriteStructAsync<float>(group, (DataField)field, column.Nullable, rows, start, count, p, ct),
            Kind.Double => WriteStructAsync<double>(group, (DataField)field, column.Nullable, rows, start, count, p, ct),
            Kind.Boolean => WriteStructAsync<bool>(group, (DataField)field, column.Nullable, rows, start, count, p, ct),
            _ => throw new NotSupportedException(column.Kind.ToString()),
        };
    }

    private static async Task WriteStructAsync<T>(ParquetRowGroupWriter group, DataField field, bool nullable,
        IReadOnlyList<TRow> rows, int start, int count, PropertyInfo p, CancellationToken ct) where T : struct
    {
        if (nullable)
        {
            var values = new T?[count];
            for (int i = 0; i < count; i++)
            {
                values[i] = (T?)p.GetValue(rows[start + i]);
            }
            await group.WriteAsync<T>(field, values, cancellationToken: ct).ConfigureAwait(false);
        }
        else
        {
            var values = new T[count];
            for (int i = 0; i < count; i++)
            {
                values[i] = (T)p.GetValue(rows[start + i])!;
            }
            await group.WriteAsync<T>(field, values, cancellationToken: ct).ConfigureAwait(false);
        }
    }

    private static async Task WriteStringsAsync(ParquetRowGroupWriter group, DataField field,
        IReadOnlyList<TRow> rows, int start, int count, PropertyInfo p)
    {
        var values = new string[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = (string)p.GetValue(rows[start + i])!;
        }
        await group.WriteAsync(field, values).ConfigureAwait(false);
    }

    private static async Task WriteListAsync(ParquetRowGroupWriter group, Field itemField,
        IReadOnlyList<TRow> rows, int start, int count, PropertyInfo p, CancellationToken ct)
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
            var list = (float[]?)p.GetValue(rows[start + i]);
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

    private static async Task<object?[]> ReadColumnAsync(ParquetRowGroupReader group, Column column, Field field,
        int count, CancellationToken ct)
    {
        if (column.Kind == Kind.SingleList)
        {
            if (field is not ListField list || list.Item is not DataField item)
                throw new InvalidDataException($"Column '{column.Name}' is not a list of floats.");
            return await ReadListAsync(group, item, count, ct).ConfigureAwait(false);
        }
        if (field is not DataField data)
            throw new InvalidDataException($"Column '{column.Name}' is not a plain column.");
        object?[] result = column.Kind switch
        {
            Kind.String => await ReadStringsAsync(group, data, count, ct).ConfigureAwait(false),
            Kind.Int32 => await ReadStructAsync<int>(group, data, count, ct).ConfigureAwait(false),
            Kind.Int64 => await ReadStructAsync<long>(group, data, count, ct).ConfigureAwait(false),
            Kind.Single => await ReadStructAsync<float>(group, data, count, ct).ConfigureAwait(false),
            Kind.Double => await ReadStructAsync<double>(group, data, count, ct).ConfigureAwait(false),
            Kind.Boolean => await ReadStructAsync<bool>(group, data, count, ct).ConfigureAwait(false),
            _ => throw new NotSupportedException(column.Kind.ToString()),
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
