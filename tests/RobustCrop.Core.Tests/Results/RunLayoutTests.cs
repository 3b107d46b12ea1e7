using RobustCrop.Core.Results;

namespace RobustCrop.Core.Tests.Results;

public sealed class RunLayoutTests
{
    private readonly RunLayout _layout = new("run-42");

    [Fact]
    public void Shard_7_files_have_the_design_names()
    {
        Assert.Equal("run-42/crops/model=resnet18/part-00007.parquet", _layout.CropsPart("resnet18", 7));
        Assert.Equal("run-42/images/model=resnet18/part-00007.parquet", _layout.ImagesPart("resnet18", 7));
        Assert.Equal("run-42/errors/part-00007.parquet", _layout.ErrorsPart(7));
        Assert.Equal("run-42/_manifests/shard-00007.json", _layout.ShardManifest(7));
    }

    [Fact]
    public void Run_level_files_sit_under_the_run_id()
    {
        Assert.Equal("run-42/summary.json", _layout.SummaryJson);
        Assert.Equal("run-42/summary.parquet", _layout.SummaryParquet);
        Assert.Equal("run-42/_SUCCESS", _layout.Success);
        Assert.Equal("run-42/report/", _layout.ReportDir);
        Assert.Equal("run-42/_manifests/", _layout.ManifestsDir);
    }

    [Fact]
    public void Shards_beyond_five_digits_are_not_truncated()
        => Assert.Equal("run-42/errors/part-123456.parquet", _layout.ErrorsPart(123456));

    [Fact]
    public void Negative_shards_are_rejected()
        => Assert.Throws<ArgumentOutOfRangeException>(() => _layout.ErrorsPart(-1));

    [Theory]
    [InlineData("resnet18")]
    [InlineData("vit_b-16.laion2b")]
    [InlineData("A.1")]
    public void Model_ids_of_letters_digits_dash_underscore_dot_are_accepted(string model)
        => Assert.EndsWith($"model={model}/part-00000.parquet", _layout.CropsPart(model, 0));

    [Theory]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("a b")]
    [InlineData("")]
    [InlineData("m=1")]
    [InlineData("ré")]
    public void Model_ids_unsafe_in_paths_are_rejected(string model)
        => Assert.Throws<ArgumentException>(() => _layout.ImagesPart(model, 1));

    [Fact]
    public void Run_ids_are_validated_like_model_ids()
        => Assert.Throws<ArgumentException>(() => new RunLayout("../run"));
}
