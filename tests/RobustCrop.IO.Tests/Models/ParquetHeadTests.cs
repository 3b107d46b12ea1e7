using Parquet;
using Parquet.Schema;
using RobustCrop.Core.Models;
using RobustCrop.IO.Models;

namespace RobustCrop.IO.Tests.Models;

public sealed class ParquetHeadTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A head file as pandas/pyarrow writes it: optional list of nullable items (float or double), one row group
    /// per <paramref name="perGroup"/> classes. A null item is written where a vector holds NaN.</summary>
    private async Task<string> WriteAsync<T>(string file, string[] classes, T[][] vectors, int perGroup = 2) where T : struct
    {
        var cls = new DataField<string>(ParquetHead.ClassColumn);
        var item = new DataField<T?>("element");
        var embedding = new ListField(ParquetHead.EmbeddingColumn, item);
        string path = Path.Combine(_dir.Path, file);
        await using (var stream = File.Create(path))
        await using (var writer = await ParquetWriter.CreateAsync(new ParquetSchema(cls, embedding), stream))
        {
            for (int start = 0; start < classes.Length; start += perGroup)
            {
                int end = Math.Min(classes.Length, start + perGroup);
                using var group = writer.CreateRowGroup();
                await group.WriteAsync(cls, classes[start..end]);
                int maxDef = item.MaxDefinitionLevel;
                var values = new List<T>();
                var definition = new List<int>();
                var repetition = new List<int>();
                for (int r = start; r < end; r++)
                    for (int j = 0; j < vectors[r].Length; j++)
                    {
                        bool isNull = vectors[r][j] is float f && float.IsNaN(f);
                        if (!isNull) values.Add(vectors[r][j]);
                        definition.Add(isNull ? maxDef - 1 : maxDef);
                        repetition.Add(j == 0 ? 0 : 1);
                    }
                await group.WriteAllPartsAsync<T>(item, values.ToArray(), definition.ToArray(), repetition.ToArray(), CancellationToken.None);
            }
        }
        return path;
    }

    [Fact]
    public async Task Class_embeddings_load_in_row_order_across_row_groups_as_a_normalised_zero_shot_head()
    {
        string path = await WriteAsync("head.parquet", ["cat", "dog", "car"],
            [[3f, 4f, 0f], [0f, 0f, 2f], [1f, 0f, 0f]]);
        var head = HeadFiles.Load(path);
        Assert.Equal(HeadKind.ZeroShot, head.Kind);
        Assert.Equal(["cat", "dog", "car"], head.Classes);
        Assert.Equal(3, head.Dimension);
        Assert.Equal([0.6f, 0.8f, 0f], head.ClassVector(0).ToArray());
        Assert.Equal([0f, 0f, 1f], head.ClassVector(1).ToArray());
        Assert.Equal(NpyHead.ClipLogitScale, head.LogitScale);
    }

    [Fact]
    public async Task Double_embeddings_as_numpy_float64_load_too()
    {
        string path = await WriteAsync("head64.parquet", ["a", "b"], [[0d, 2d], [5d, 0d]]);
        var head = HeadFiles.Load(path);
        Assert.Equal([0f, 1f], head.ClassVector(0).ToArray());
        Assert.Equal([1f, 0f], head.ClassVector(1).ToArray());
    }

    [Fact]
    public async Task A_ragged_row_a_null_value_or_a_missing_column_is_one_line_naming_the_file()
    {
        string ragged = await WriteAsync("ragged.parquet", ["a", "b"], [[1f, 0f], [1f, 0f, 0f]]);
        var e = Assert.Throws<ZooException>(() => HeadFiles.Load(ragged));
        Assert.Equal("head ragged.parquet: class 'b' has a 3-d embedding, the first class 2-d", e.Message);

        string holes = await WriteAsync("holes.parquet", ["a", "b"], [[1f, 0f], [float.NaN, 1f]]);
        e = Assert.Throws<ZooException>(() => HeadFiles.Load(holes));
        Assert.Equal("head holes.parquet: row 1 of 'embedding' has a null value", e.Message);

        string other = Path.Combine(_dir.Path, "other.parquet");
        var label = new DataField<string>("label");
        await using (var stream = File.Create(other))
        await using (var writer = await ParquetWriter.CreateAsync(new ParquetSchema(label), stream))
        {
            using var group = writer.CreateRowGroup();
            await group.WriteAsync(label, new string?[] { "a" });
        }
        e = Assert.Throws<ZooException>(() => HeadFiles.Load(other));
        Assert.Equal("head other.parquet: a Parquet head needs a string 'class' column and a list 'embedding' column", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
