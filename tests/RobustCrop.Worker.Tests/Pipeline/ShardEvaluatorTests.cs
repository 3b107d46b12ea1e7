using RobustCrop.Core.Data;
using RobustCrop.Core.Geometry;
using RobustCrop.Core.Models;
using RobustCrop.Core.Results;
using RobustCrop.Core.Settings;
using RobustCrop.IO.Onnx;
using RobustCrop.Worker.Inference;
using RobustCrop.Worker.Pipeline;
using static RobustCrop.Worker.Tests.Pipeline.PipelineHarness;

namespace RobustCrop.Worker.Tests.Pipeline;

/// <summary>The real shard pipeline (plan → batch → infer → metrics → rows) driven by tiny models with known answers.</summary>
public class ShardEvaluatorTests
{
    private const int Crop = 16;
    private const int Resize = Crop + 8;

    /// <summary>[batch,classes]: per-channel means times random weights; every cyclic roll keeps the means.</summary>
    private static byte[] ChannelMeanClasses(int classes, int seed, int size) => new OnnxGraphBuilder("channel_mean_classes")
        .AddInput(TinyModels.InputName, "batch", 3, size, size)
        .AddOutput("logits", "batch", classes)
        .AddInitializer("weights", [3, classes], TinyModels.TopLeftPixelWeights(classes, seed))
        .AddNode("ReduceMean", [TinyModels.InputName], ["mean"], OnnxAttribute.Ints("axes", 2, 3), OnnxAttribute.Int("keepdims", 0))
        .AddNode("MatMul", ["mean", "weights"], ["logits"])
        .ToBytes();

    [Fact]
    public void Mean_colour_on_constant_image_is_perfectly_consistent()
    {
        using var model = Model(TinyModels.MeanColour(Crop), "mean", Crop, Resize);
        var record = new ImageRecord("constant", null, null, Constant(Resize + 6, Resize, 200, 30, 90));
        var result = Run(model, new RunSettings(new RunId("r")) { WindowK = 2 }, [record]);

        var row = Assert.Single(result.Images["mean"]);
        Assert.Empty(result.Errors);
        Assert.Equal(8, row.Shifts1px);
        Assert.Equal(1.0, row.Consistency1px);
        Assert.False(row.Fooled1px);
        Assert.Equal(1.0, row.Cosine1pxMin, 1e-6);
        Assert.False(row.Changed1px);
        Assert.Equal(2, row.WindowK);
        Assert.Equal(24, row.WindowShifts);
        Assert.False(row.FooledWindow);
        Assert.Equal(0, row.Prediction); // red dominates
    }

    [Fact]
    public void Global_average_on_noise_is_cyclic_invariant()
    {
        using var model = Model(TinyModels.GlobalAverage(Crop), "avg", Crop, Resize);
        var result = Run(model, new RunSettings(new RunId("r")) { WindowK = 1 }, NoiseRecords(20, Resize, Resize, seed: 1));

        Assert.Equal(20, result.Images["avg"].Count);
        Assert.All(result.Images["avg"], row =>
        {
            Assert.Equal(8, row.CyclicShifts1px);
            Assert.Equal(1.0, row.CyclicConsistency1px);
            Assert.False(row.CyclicFooled1px);
        });
        // The average itself: every cyclic crop's output equals the base output, realistic ones differ.
        var crops = result.Crops["avg"];
        Assert.All(crops.Where(c => c.Kind == CropKinds.Cyclic), c => Assert.Equal(1f, c.CosineToBase, 1e-6));
    }

    [Fact]
    public void Channel_mean_classes_on_noise_cyclic_never_fooled_but_realistic_moves()
    {
        // A classifier of the channel means is invariant to rolls but not to new pixels entering the crop.
        using var model = Model(ChannelMeanClasses(10, seed: 3, Crop), "cm", Crop, Resize);
        var result = Run(model, new RunSettings(new RunId("r")) { WindowK = 1 }, NoiseRecords(40, Resize, Resize, seed: 2));

        var rows = result.Images["cm"];
        Assert.Equal(40, rows.Count);
        Assert.All(rows, row =>
        {
            Assert.Equal(1.0, row.CyclicConsistency1px);
            Assert.False(row.CyclicFooled1px);
            Assert.Equal(1.0, row.CyclicCosine1pxMin, 1e-5);
        });
        Assert.All(rows, row => Assert.True(row.Cosine1pxMin < 1 - 1e-6, $"{row.ImageKey}: realistic shifts must change the means"));
    }

    [Fact]
    public void Top_left_pixel_on_noise_is_fooled_by_cyclic_shifts()
    {
        using var model = Model(TinyModels.TopLeftPixelClasses(64, seed: 5, Crop), "tl", Crop, Resize);
        var result = Run(model, new RunSettings(new RunId("r")) { WindowK = 1 }, NoiseRecords(40, Resize, Resize, seed: 3));

        var rows = result.Images["tl"];
        Assert.Equal(40, rows.Count);
        int fooled = rows.Count(r => r.CyclicFooled1px == true);
        Assert.True(fooled >= 38, $"cyclic fooled on {fooled}/40 images");
        double consistency = rows.Average(r => r.CyclicConsistency1px!.Value);
        Assert.True(consistency < 0.5, $"mean cyclic consistency {consistency}");
        Assert.True(rows.Average(r => r.Consistency1px!.Value) < 0.5);
    }

    [Fact]
    public void Crop_rows_are_absolute_scene_positions_and_deduplicated()
    {
        using var model = Model(TinyModels.MeanColour(Crop), "geo", Crop, Resize);
        var records = NoiseRecords(1, Resize + 6, Resize, seed: 4);
        var g = new SceneGeometry(Resize + 6, Resize, Resize, Crop);
        Assert.Equal((7, 4), (g.BaseX, g.BaseY));

        var k2 = Run(model, new RunSettings(new RunId("r")) { WindowK = 2 }, records);
        var crops = k2.Crops["geo"];
        Assert.Equal(33, crops.Count);
        Assert.Equal(33, k2.CropsInferred);
        Assert.Equal(33, Assert.Single(k2.Images["geo"]).CropsInferred);

        var diagonal = Assert.Single(crops, c => c.Kind == CropKinds.Realistic && c.Dx == 1 && c.Dy == -1);
        Assert.Equal((g.BaseX + 1, g.BaseY - 1), (diagonal.X, diagonal.Y));
        Assert.All(crops.Where(c => c.Kind == CropKinds.Realistic), c => Assert.Equal((g.BaseX + c.Dx, g.BaseY + c.Dy), (c.X, c.Y)));
        Assert.Equal(25, crops.Count(c => c.Kind == CropKinds.Realistic));
        var cyclic = crops.Where(c => c.Kind == CropKinds.Cyclic).ToList();
        Assert.Equal(8, cyclic.Count);
        Assert.All(cyclic, c => Assert.Equal((g.BaseX, g.BaseY), (c.X, c.Y)));
        Assert.Equal(ShiftSets.N1.Select(s => (s.Dx, s.Dy)).OrderBy(t => t), cyclic.Select(c => (c.Dx, c.Dy)).OrderBy(t => t));
        Assert.Equal(33, crops.Select(c => (c.Kind, c.Dx, c.Dy)).Distinct().Count());

        var k1 = Run(model, new RunSettings(new RunId("r")) { WindowK = 1 }, records);
        Assert.Equal(17, k1.Crops["geo"].Count);
        Assert.Equal(17, k1.CropsInferred);
    }

    [Fact]
    public void Accuracy_is_null_without_label_or_class_names()
    {
        const int d = 3;
        // Embedding model with a linear head that names its classes: labelled images get correct, unlabelled get null.
        var head = new ClassHead(HeadKind.Linear, ["red", "green", "blue"], d, [1, 0, 0, 0, 1, 0, 0, 0, 1], null, 1f);
        using var named = Model(TinyModels.MeanColour(Crop), "named", Crop, Resize, head, OutputKind.Embedding,
            new Core.Imaging.PixelNormalization(Core.Imaging.ChannelOrder.Rgb, 1f / 255f, [0f, 0f, 0f], [1f, 1f, 1f]));
        using var logits = Model(TinyModels.MeanColour(Crop), "logits", Crop, Resize);
        ImageRecord[] records =
        [
            new("red-labelled-red", "red", null, Constant(Resize, Resize, 250, 10, 10)),
            new("red-labelled-blue", "blue", null, Constant(Resize, Resize, 250, 10, 10)),
            new("red-unlabelled", null, null, Constant(Resize, Resize, 250, 10, 10)),
        ];
        var result = Run([named, logits], new RunSettings(new RunId("r")) { WindowK = 1 }, records);

        var byKey = result.Images["named"].ToDictionary(r => r.ImageKey);
        Assert.Equal((0, "red", (bool?)true), (byKey["red-labelled-red"].Prediction, byKey["red-labelled-red"].PredictionLabel, byKey["red-labelled-red"].Correct));
        Assert.Equal((0, "red", (bool?)false), (byKey["red-labelled-blue"].Prediction, byKey["red-labelled-blue"].PredictionLabel, byKey["red-labelled-blue"].Correct));
        Assert.Equal((0, "red", (bool?)null), (byKey["red-unlabelled"].Prediction, byKey["red-unlabelled"].PredictionLabel, byKey["red-unlabelled"].Correct));

        Assert.All(result.Images["logits"], r =>
        {
            Assert.Equal(0, r.Prediction);
            Assert.Null(r.PredictionLabel);
            Assert.Null(r.Correct);
            Assert.NotNull(r.Confidence);
        });
        Assert.All(result.Crops["logits"], c => Assert.Null(c.PredictionLabel));
    }

    [Fact]
    public void Image_rows_do_not_depend_on_batch_size()
    {
        using var model = Model(TinyModels.RandomProjection(Crop, 32, seed: 7), "proj", Crop, Resize);
        var records = NoiseRecords(9, Resize + 3, Resize, seed: 6);
        var one = Run(model, new RunSettings(new RunId("r")) { WindowK = 2, Batch = 1 }, records);
        var seven = Run(model, new RunSettings(new RunId("r")) { WindowK = 2, Batch = 7 }, records);

        Assert.Equal(9, one.Images["proj"].Count);
        Assert.Equal(one.Images["proj"], seven.Images["proj"]);
        Assert.Equal(one.CropsInferred, seven.CropsInferred);
        Assert.Contains(one.Images["proj"], r => r.Fooled1px == true); // not a degenerate all-equal model
    }

    [Fact]
    public async Task NaN_output_stops_the_shard()
    {
        using var model = Model(TinyModels.ReturnsNaN(Crop), "nan", Crop, Resize);
        var evaluator = new ShardEvaluator([model], new RunSettings(new RunId("r")) { WindowK = 1, Batch = 4 });
        var ex = await Assert.ThrowsAsync<ModelOutputException>(() =>
            evaluator.EvaluateAsync(new DatasetShard(new ShardId(0), ShardSource.Of("memory"), 0, -1), NoiseRecords(3, Resize, Resize, seed: 8)));
        Assert.Contains("NaN", ex.Message);
    }
}

public class ShardEvaluatorFailureTests
{
    private static IEnumerable<ImageRecord> Tracked(IEnumerable<ImageRecord> records, TaskCompletionSource closed)
    {
        try
        {
            foreach (var r in records) yield return r;
        }
        finally
        {
            closed.TrySetResult();
        }
    }

    [Fact]
    public async Task Failed_shard_stops_reading_and_releases_the_input()
    {
        // More inputs than the decode queue holds: the reader must not stay blocked on a queue nobody drains.
        using var model = Model(TinyModels.ReturnsNaN(16), "nan", 16, 24);
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var evaluator = new ShardEvaluator([model], new RunSettings(new RunId("r")) { WindowK = 1, Batch = 4 });
        await Assert.ThrowsAsync<ModelOutputException>(() =>
            evaluator.EvaluateAsync(new DatasetShard(new ShardId(0), ShardSource.Of("memory"), 0, -1), Tracked(NoiseRecords(200, 24, 24, seed: 9), closed)));
        var finished = await Task.WhenAny(closed.Task, Task.Delay(TimeSpan.FromSeconds(10)));
        Assert.True(finished == closed.Task, "the shard's input was never closed after the failure");
    }
}
