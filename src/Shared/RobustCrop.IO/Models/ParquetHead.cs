using Parquet;
using Parquet.Schema;
using RobustCrop.Core.Models;

namespace RobustCrop.IO.Models;

/// <summary>
/// A zero-shot head as a Parquet file of class embeddings, one row per class: a string <c>class</c> column and an
/// <c>embedding</c> list column of float or double, as <c>pandas.DataFrame({"class": names, "embedding": list(e)})
/// .to_parquet(...)</c> writes it (pyarrow's nullable list items are accepted; a null item or a row of another length
/// is refused). Rows are the head's class order.
/// </summary>
public static class ParquetHead
{
    public const string ClassColumn = "class";
    public const string EmbeddingColumn = "embedding";

    public static ClassHead Load(string path)
    {
        string name = Path.GetFileName(path);
        if (!File.Exists(path)) throw new ZooException($"head file not found: {path}");
        try
        {
            // Local file, no synchronisation context: blocking on Parquet.Net's async reader cannot deadlock.
            var (classes, dimension, data) = ReadAsync(path, name).GetAwaiter().GetResult();
            return new ClassHead(HeadKind.ZeroShot, classes, dimension, data, null, NpyHead.ClipLogitScale);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or NotSupportedException or InvalidOperationException or ArgumentException)
        {
            throw new ZooException($"head {name} is not a readable Parquet head: {e.Message.Split('\n')[0]}");
        }
    }

    private static async Task<(string[] Classes, int Dimension, float[] Data)> ReadAsync(string path, string name)
    {
        await using var stream = File.OpenRead(path);
        await using var reader = await ParquetReader.CreateAsync(stream);
        var classField = reader.Schema.Fields.OfType<DataField>().FirstOrDefault(f => f.Name == ClassColumn
            && (f.ClrType == typeof(string) || f.ClrType == typeof(ReadOnlyMemory<char>)));
        var embedding = reader.Schema.Fields.FirstOrDefault(f => f.Name == EmbeddingColumn);
        if (classField is null || embedding is not ListField { Item: DataField item })
            throw new ZooException($"head {name}: a Parquet head needs a string '{ClassColumn}' column and a list '{EmbeddingColumn}' column");
        if (item.ClrType != typeof(float) && item.ClrType != typeof(double))
            throw new ZooException($"head {name}: '{EmbeddingColumn}' holds {item.ClrType.Name}, not float or double");
        var classes = new List<string>();
        var data = new List<float>();
        int dimension = -1;
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            int rows = checked((int)group.RowCount);
            var names = new string?[rows];
            await group.ReadAsync(classField, names.AsMemory());
            var vectors = item.ClrType == typeof(float) ? await ReadRowsAsync<float>(group, item, rows, name)
                : await ReadRowsAsync<double>(group, item, rows, name);
            for (int r = 0; r < rows; r++)
            {
                if (string.IsNullOrWhiteSpace(names[r])) throw new ZooException($"head {name}: row {classes.Count} has no class name");
                if (dimension < 0) dimension = vectors[r].Length;
                if (vectors[r].Length != dimension || dimension == 0)
                    throw new ZooException($"head {name}: class '{names[r]}' has a {vectors[r].Length}-d embedding, the first class {dimension}-d");
                classes.Add(names[r]!);
                data.AddRange(vectors[r]);
            }
        }
        if (classes.Count == 0) throw new ZooException($"head {name} has no classes");
        return ([.. classes], dimension, [.. data]);
    }

    /// <summary>Each row's list, from the column's Dremel levels (repetition 0 starts a row; definition max = a value).</summary>
    private static async Task<float[][]> ReadRowsAsync<T>(ParquetRowGroupReader group, DataField item, int rows, string name)
        where T : struct, IConvertible
    {
        long levels = group.GetMetadata(item)?.MetaData?.NumValues ?? throw new InvalidDataException($"'{EmbeddingColumn}' has no chunk metadata");
        var values = new T[levels];
        var definition = new int[levels];
        var repetition = new int[levels];
        await group.ReadRawAsync<T>(item, values, definition, repetition);
        int maxDef = item.MaxDefinitionLevel;
        // A present item is at maxDef; a null item one below it when items are nullable (as pyarrow writes them).
        int nullItem = item.IsNullable ? maxDef - 1 : int.MinValue;
        var result = new float[rows][];
        var current = new List<float>();
        int row = -1, v = 0;
        for (int i = 0; i < levels; i++)
        {
            if (repetition[i] == 0)
            {
                if (row >= 0) result[row] = [.. current];
                if (++row >= rows) throw new InvalidDataException($"'{EmbeddingColumn}' holds more lists than the {rows} rows");
                current.Clear();
            }
            if (definition[i] == maxDef) current.Add(Convert.ToSingle(values[v++], System.Globalization.CultureInfo.InvariantCulture));
            else if (definition[i] == nullItem) throw new ZooException($"head {name}: row {row} of '{EmbeddingColumn}' has a null value");
        }
        if (row >= 0) result[row] = [.. current];
        if (row != rows - 1) throw new InvalidDataException($"'{EmbeddingColumn}' holds {row + 1} lists for {rows} rows");
        return result;
    }
}
