namespace RobustCrop.Core.Results;

/// <summary>The storage type of a result column; the IO layer maps each to a Parquet type.</summary>
public enum ColumnType { Int32, Int64, Float, Double, Boolean, String, FloatList }

/// <summary>One column of a result file as declared in its schema (<see cref="ImagesSchema"/> and its siblings): the
/// file's name for it, its type, whether it may be null, and what it means. Writer, readers and summary pick columns
/// by this declaration, never by position.</summary>
public abstract record ResultColumn(string Name, ColumnType Type, bool Nullable, string Meaning);

/// <summary>A declared column with the way to take its value from the file's row record.</summary>
/// <param name="Value">The column's value of a row, boxed (null where the column is null).</param>
public sealed record ResultColumn<TRow>(string Name, ColumnType Type, bool Nullable, string Meaning, Func<TRow, object?> Value)
    : ResultColumn(Name, Type, Nullable, Meaning);

/// <summary>Finds the declared schema of a result row type.</summary>
public static class ResultSchemas
{
    /// <summary>The declared columns of <typeparamref name="TRow"/> in file order, or null for a table with no declaration
    /// (an ad-hoc table such as a gallery, whose columns follow its record).</summary>
    public static IReadOnlyList<ResultColumn<TRow>>? Of<TRow>() where TRow : class
    {
        object? columns = typeof(TRow) switch
        {
            var t when t == typeof(CropRow) => CropsSchema.Columns,
            var t when t == typeof(ImageRow) => ImagesSchema.Columns,
            var t when t == typeof(RicsRow) => RicsSchema.Columns,
            var t when t == typeof(ErrorRow) => ErrorsSchema.Columns,
            var t when t == typeof(PredictionRow) => PredictionsSchema.Columns,
            var t when t == typeof(SummaryParquetRow) => SummarySchema.Columns,
            var t when t == typeof(MotionRow) => MotionSchema.Columns,
            _ => null,
        };
        return (IReadOnlyList<ResultColumn<TRow>>?)columns;
    }

    /// <summary>The declared column named <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">The schema declares no such column.</exception>
    public static ResultColumn<TRow> Column<TRow>(this IReadOnlyList<ResultColumn<TRow>> columns, string name)
    {
        ArgumentNullException.ThrowIfNull(columns);
        foreach (var c in columns)
            if (string.Equals(c.Name, name, StringComparison.Ordinal)) return c;
        throw new ArgumentException($"the {typeof(TRow).Name} schema declares no column '{name}'", nameof(name));
    }
}
