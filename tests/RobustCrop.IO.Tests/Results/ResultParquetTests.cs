using Parquet;
using Parquet.Serialization;
using RobustCrop.Core.Results;
using RobustCrop.IO.Results;

namespace RobustCrop.IO.Tests.Results;

public sealed class ResultParquetTests
{
    private static readonly Dictionary<string, string> Metadata = new()
    {
        [ResultMetadataKeys.RunId] = "run-1",
        [ResultMetadataKeys.Model] = "resnet18",
        [ResultMetadataKeys.EmbeddingDimension] = "3",
        [ResultMetadataKeys.Preprocessing] = """{"input_size":224,"resize_size":256}""",
        [ResultMetadataKeys.RobustCropVersion] = "0.1.0",
    };

    private static CropRow Crop(int i, float[]? embedding) => new(
        "run-1", 7, $"img-{i:D3}", "resnet18", i % 2 == 0 ? CropKinds.Realistic : CropKinds.Cyclic,
        X: 16 + i, Y: 16 - i, Dx: i % 3 - 1, Dy: 1 - i % 3,
        Prediction: i % 4 == 0 ? null : i,
        PredictionLabel: i % 4 == 0 ? null : $"class {i}",
        Confidence: i % 4 == 0 ? null : 0.5f + i / 100f,
        CosineToBase: 1f - i / 1000f,
        Embedding: embedding);

    private static ImageRow Image(int i) => new(
        "run-1", 7, $"img-{i:D5}", Label: i % 3 == 0 ? null : "cat", "resnet18",
        SourceWidth: 500, SourceHeight: 375, SceneWidth: 341, SceneHeight: 256, CropsInferred: 30,
        Prediction: i % 5 == 0 ? null : i % 1000, PredictionLabel: i % 5 == 0 ? null : "cat",
        Confidence: i % 5 == 0 ? null : 0.75f, Correct: i % 3 == 0 ? null : i % 2 == 0,
        Shifts1px: 8, Consistency1px: i % 5 == 0 ? null : 0.875, Fooled1px: i % 5 == 0 ? null : true,
        WindowK: 2, WindowShifts: 24, FooledWindow: i % 5 == 0 ? null : false,
        Cosine1pxMin: 0.9 + i * 1e-6, Changed1px: i % 2 == 1,
        CyclicShifts1px: 8, CyclicConsistency1px: i % 5 == 0 ? null : 1.0, CyclicFooled1px: i % 5 == 0 ? null : false,
        CyclicCosine1pxMin: 0.999, CyclicChanged1px: false);

    [Theory]
    [InlineData("ImageKey", "image_key")]
    [InlineData("Consistency1px", "consistency_1px")]
    [InlineData("Cosine1pxMin", "cosine_1px_min")]
    [InlineData("CyclicFooled1px", "cyclic_fooled_1px")]
    [InlineData("Dx", "dx")]
    [InlineData("WindowK", "window_k")]
    [InlineData("X", "x")]
    public void Column_names_are_snake_case_with_digits_as_a_word(string property, string column)
        => Assert.Equal(column, ResultParquet.ColumnName(property));

    [Fact]
    public void Every_result_file_is_written_in_its_declared_column_order_and_its_record_agrees()
    {
        // ColumnNames builds the mapping, which refuses a record whose fields differ from the declaration in order,
        // name, type or nullability.
        Assert.Equal(CropsSchema.Columns.Select(c => c.Name), ResultParquet.ColumnNames<CropRow>());
        Assert.Equal(ImagesSchema.Columns.Select(c => c.Name), ResultParquet.ColumnNames<ImageRow>());
        Assert.Equal(RicsSchema.Columns.Select(c => c.Name), ResultParquet.ColumnNames<RicsRow>());
        Assert.Equal(ErrorsSchema.Columns.Select(c => c.Name), ResultParquet.ColumnNames<ErrorRow>());
        Assert.Equal(PredictionsSchema.Columns.Select(c => c.Name), ResultParquet.ColumnNames<PredictionRow>());
        Assert.Equal(SummarySchema.Columns.Select(c => c.Name), ResultParquet.ColumnNames<SummaryParquetRow>());
    }

    [Fact]
    public async Task Crop_rows_round_trip_with_embeddings_and_nulls()
    {
        var rows = Enumerable.Range(0, 9).Select(i => Crop(i, i == 3 ? null : i == 5 ? [] : [i, -i, 0.25f])).ToList();
        using var ms = new MemoryStream();
        await ResultParquet.WriteCropRowsAsync(ms, rows, Metadata);

        ms.Position = 0;
        var back = await ResultParquet.ReadCropRowsAsync(ms);

        Assert.Equal(rows.Count, back.Count);
        for (int i = 0; i < rows.Count; i++)
        {
            Assert.Equal(rows[i] with { Embedding = null }, back[i] with { Embedding = null });
            Assert.Equal(rows[i].Embedding, back[i].Embedding);
        }
        Assert.Null(back[3].Embedding);
        Assert.Empty(back[5].Embedding!);
        Assert.Equal(new float[] { 4, -4, 0.25f }, back[4].Embedding);

        ms.Position = 0;
        Assert.Equal(
            ["run_id", "shard", "image_key", "model", "kind", "x", "y", "dx", "dy", "prediction",
             "prediction_label", "confidence", "cosine_to_base", "embedding"],
            await TopLevelColumnsAsync(ms));
    }

    [Fact]
    public async Task Embedding_list_is_readable_by_the_library_own_deserializer()
    {
        // An independent decoder of the same bytes guards against levels that only our reader accepts.
        var rows = new List<CropRow> { Crop(1, [1f, 2f]), Crop(2, null), Crop(3, [3f]) };
        using var ms = new MemoryStream();
        await ResultParquet.WriteCropRowsAsync(ms, rows);
        ms.Position = 0;

        var untyped = await ParquetSerializer.DeserializeUntypedAsync(ms);

        var embeddings = untyped.Data.Select(d => d.GetValueOrDefault("embedding")).ToList();
        Assert.Equal(new float[] { 1f, 2f }, ToFloats(embeddings[0]));
        Assert.Null(embeddings[1]);
        Assert.Equal(new float[] { 3f }, ToFloats(embeddings[2]));
    }

    private static float[] ToFloats(object? list) => ((System.Collections.IEnumerable)list!).Cast<object>().Select(Convert.ToSingle).ToArray();

    [Fact]
    public async Task Embedding_column_is_absent_when_no_row_keeps_embeddings()
    {
        var rows = Enumerable.Range(0, 4).Select(i => Crop(i, null)).ToList();
        using var ms = new MemoryStream();
        await ResultParquet.WriteCropRowsAsync(ms, rows, Metadata);

        ms.Position = 0;
        Assert.DoesNotContain("embedding", await TopLevelColumnsAsync(ms));
        ms.Position = 0;
        var back = await ResultParquet.ReadCropRowsAsync(ms);
        Assert.Equal(rows, back);
    }

    [Fact]
    public async Task Image_rows_round_trip_with_nulls_in_one_row_group()
    {
        var rows = Enumerable.Range(0, 20_000).Select(Image).ToList();
        using var ms = new MemoryStream();
        await ResultParquet.WriteImageRowsAsync(ms, rows, Metadata);

        ms.Position = 0;
        var back = await ResultParquet.ReadImageRowsAsync(ms);
        Assert.Equal(rows, back);
        Assert.Null(back[0].Consistency1px);
        Assert.Null(back[0].Label);
        Assert.Equal(0.875, back[1].Consistency1px);

        ms.Position = 0;
        await using var reader = await ParquetReader.CreateAsync(ms, leaveStreamOpen: true);
        Assert.Equal(1, reader.RowGroupCount);
        var names = reader.Schema.Fields.Select(f => f.Name).ToList();
        Assert.Contains("consistency_1px", names);
        Assert.Contains("cosine_1px_min", names);
        Assert.Contains("cyclic_fooled_1px", names);
        Assert.Contains("fooled_window", names);
        Assert.True(reader.Schema.FindDataField("consistency_1px").IsNullable);
        Assert.False(reader.Schema.FindDataField("cosine_1px_min").IsNullable);
    }

    [Fact]
    public async Task More_rows_than_one_group_holds_are_split_into_full_groups()
    {
        var rows = Enumerable.Range(0, ResultParquet.RowGroupSize + 5)
            .Select(i => new ErrorRow("r", 1, $"k{i}", "decode", "bad")).ToList();
        using var ms = new MemoryStream();
        await ResultParquet.WriteErrorRowsAsync(ms, rows);

        ms.Position = 0;
        await using (var reader = await ParquetReader.CreateAsync(ms, leaveStreamOpen: true))
        {
            Assert.Equal(2, reader.RowGroupCount);
            Assert.Equal(ResultParquet.RowGroupSize, reader.OpenRowGroupReader(0).RowCount);
        }
        ms.Position = 0;
        Assert.Equal(rows, await ResultParquet.ReadErrorRowsAsync(ms));
    }

    [Fact]
    public async Task A_partition_file_stores_no_model_column_and_reads_it_back_from_the_metadata()
    {
        // pyarrow, Spark and polars reject or duplicate a column that is both in the file and in model=<m>/.
        var rows = Enumerable.Range(0, 25_000).Select(Image).ToList();
        using var ms = new MemoryStream();
        await ResultParquet.WritePartitionRowsAsync(ms, "resnet18", rows, r => r.Model,
            new Dictionary<string, string> { [ResultMetadataKeys.RunId] = "run-1" });

        ms.Position = 0;
        var columns = await TopLevelColumnsAsync(ms);
        Assert.DoesNotContain("model", columns);
        Assert.Contains("image_key", columns);
        Assert.Equal(columns.Count, columns.Distinct().Count());
        ms.Position = 0;
        Assert.Equal("resnet18", (await ResultParquet.ReadMetadataAsync(ms))[ResultMetadataKeys.Model]);
        ms.Position = 0;
        Assert.Equal(rows, await ResultParquet.ReadImageRowsAsync(ms));
        ms.Position = 0;
        await using var reader = await ParquetReader.CreateAsync(ms, leaveStreamOpen: true);
        // Row groups of at least 10,000 rows where the file has that many: engines read large groups efficiently.
        Assert.All(Enumerable.Range(0, reader.RowGroupCount), g => Assert.True(reader.OpenRowGroupReader(g).RowCount >= 10_000));
    }

    [Fact]
    public async Task A_partition_file_refuses_a_row_of_another_model()
    {
        using var ms = new MemoryStream();
        var e = await Assert.ThrowsAsync<ArgumentException>(() =>
            ResultParquet.WritePartitionRowsAsync(ms, "resnet18-blur", [Image(1)], r => r.Model));
        Assert.Contains("'resnet18'", e.Message);
    }

    [Fact]
    public async Task Error_rows_round_trip_with_their_columns()
    {
        var rows = new List<ErrorRow>
        {
            new("run-1", 3, "a.jpg", "decode", "not an image"),
            new("run-1", 3, "b.jpg", "plan", "scene 200x150 is smaller than the crop 224"),
        };
        using var ms = new MemoryStream();
        await ResultParquet.WriteErrorRowsAsync(ms, rows, Metadata);
        ms.Position = 0;
        Assert.Equal(rows, await ResultParquet.ReadErrorRowsAsync(ms));
        ms.Position = 0;
        Assert.Equal(["run_id", "shard", "image_key", "stage", "reason"], await TopLevelColumnsAsync(ms));
    }

    [Fact]
    public async Task Key_value_metadata_is_stored_in_the_file()
    {
        using var ms = new MemoryStream();
        await ResultParquet.WriteImageRowsAsync(ms, [Image(1)], Metadata);
        ms.Position = 0;
        var meta = await ResultParquet.ReadMetadataAsync(ms);
        foreach (var (key, value) in Metadata)
        {
            Assert.Equal(value, meta[key]);
        }
    }

    [Fact]
    public async Task An_empty_file_has_the_schema_and_no_rows()
    {
        using var ms = new MemoryStream();
        await ResultParquet.WriteErrorRowsAsync(ms, []);
        ms.Position = 0;
        Assert.Empty(await ResultParquet.ReadErrorRowsAsync(ms));
        ms.Position = 0;
        Assert.Equal(5, (await TopLevelColumnsAsync(ms)).Count);
    }

    [Fact]
    public async Task A_forward_only_stream_is_buffered_on_write_and_read()
    {
        var rows = new List<ErrorRow> { new("r", 0, "k", "read", "gone") };
        using var sink = new MemoryStream();
        await ResultParquet.WriteErrorRowsAsync(new ForwardOnlyStream(sink, writable: true), rows);
        var bytes = sink.ToArray();
        Assert.Equal("PAR1", System.Text.Encoding.ASCII.GetString(bytes, bytes.Length - 4, 4));

        var back = await ResultParquet.ReadErrorRowsAsync(new ForwardOnlyStream(new MemoryStream(bytes), writable: false));
        Assert.Equal(rows, back);
    }

    private static async Task<List<string>> TopLevelColumnsAsync(Stream stream)
    {
        await using var reader = await ParquetReader.CreateAsync(stream, leaveStreamOpen: true);
        return reader.Schema.Fields.Select(f => f.Name).ToList();
    }

    private sealed class ForwardOnlyStream(Stream inner, bool writable) : Stream
    {
        public override bool CanRead => !writable;
        public override bool CanSeek => false;
        public override bool CanWrite => writable;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
    }
}
