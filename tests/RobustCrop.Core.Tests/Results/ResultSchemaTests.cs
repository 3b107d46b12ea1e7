using System.Text.RegularExpressions;
using RobustCrop.Core.Results;

namespace RobustCrop.Core.Tests.Results;

/// <summary>Each result file's one declaration of its columns.</summary>
public sealed class ResultSchemaTests
{
    public static TheoryData<string, ResultColumn[]> Schemas => new()
    {
        { "crops", [.. CropsSchema.Columns] },
        { "images", [.. ImagesSchema.Columns] },
        { "rics", [.. RicsSchema.Columns] },
        { "errors", [.. ErrorsSchema.Columns] },
        { "predictions", [.. PredictionsSchema.Columns] },
        { "summary", [.. SummarySchema.Columns] },
    };

    [Theory]
    [MemberData(nameof(Schemas))]
    public void Every_column_has_a_distinct_snake_case_name_and_a_meaning(string file, ResultColumn[] columns)
    {
        Assert.NotEmpty(columns);
        Assert.Equal(columns.Length, columns.Select(c => c.Name).Distinct(StringComparer.Ordinal).Count());
        Assert.All(columns, c => Assert.Matches(new Regex("^[a-z][a-z0-9_]*$"), c.Name));
        Assert.All(columns, c => Assert.False(string.IsNullOrWhiteSpace(c.Meaning), $"{file}.{c.Name} has no meaning"));
    }

    [Fact]
    public void The_row_files_begin_with_the_run_shard_and_key_and_every_named_column_is_listed()
    {
        Assert.Equal(["run_id", "shard", "image_key"], ImagesSchema.Columns.Take(3).Select(c => c.Name));
        Assert.Equal(["run_id", "shard", "image_key"], RicsSchema.Columns.Take(3).Select(c => c.Name));
        // A named column left out of Columns would be declared yet never written.
        foreach (var (schema, list) in new (Type, IEnumerable<ResultColumn>)[] { (typeof(ImagesSchema), ImagesSchema.Columns), (typeof(RicsSchema), RicsSchema.Columns) })
        {
            var named = schema.GetFields().Where(f => f.FieldType.IsAssignableTo(typeof(ResultColumn))).Select(f => (ResultColumn)f.GetValue(null)!);
            Assert.Equal(named.Select(c => c.Name).Order(), list.Select(c => c.Name).Order());
        }
    }

    [Fact]
    public void Declared_values_come_from_the_named_field_of_the_row()
    {
        var row = new ImageRow("r", 2, "d/k", "cat", "m", 30, 40, 50, 60, 9, 4, "dog", 0.75f, false, 8, 0.5, true, 2, 24, true,
            0.25, true, 8, 1.0, false, 0.95, false, CorrectNative: true);

        Assert.Equal(40, ImagesSchema.SourceHeight.Value(row));
        Assert.Equal(0.25, ImagesSchema.Cosine1pxMin.Value(row));
        Assert.Equal(0.95, ImagesSchema.CyclicCosine1pxMin.Value(row));
        Assert.Equal(true, ImagesSchema.CorrectNative.Value(row));
        Assert.Equal("dog", ImagesSchema.Columns.Column("prediction_label").Value(row));
        Assert.Throws<ArgumentException>(() => ImagesSchema.Columns.Column("no_such_column"));
    }

    [Fact]
    public void A_batch_holds_the_columns_asked_for_by_name_and_refuses_the_others()
    {
        ImageRow Row(int shifts, double? consistency) => new("r", 0, "d/k", null, "m", 1, 1, 1, 1, 9, null, null, null, null,
            shifts, consistency, null, 0, 0, null, 1, false, 0, null, null, 1, false);
        var batch = ColumnBatch.FromRows(ImagesSchema.Columns, [ImagesSchema.Shifts1px, ImagesSchema.Consistency1px],
            [Row(8, 0.5), Row(0, null)]);

        Assert.Equal(2, batch.Count);
        Assert.Equal([8, 0], batch.Ints(ImagesSchema.Shifts1px));
        Assert.Equal([0.5, null], batch.Doubles(ImagesSchema.Consistency1px));
        Assert.Throws<InvalidOperationException>(() => batch.Bools(ImagesSchema.Correct));  // not read
        Assert.Throws<ArgumentException>(() => batch.Bools(ImagesSchema.Shifts1px));        // an int column
    }
}
