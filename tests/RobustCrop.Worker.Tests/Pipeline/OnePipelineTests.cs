using RobustCrop.Core.Data;
using RobustCrop.Core.Geometry;
using RobustCrop.Core.Imaging;
using RobustCrop.Core.Results;
using RobustCrop.Core.Rics;
using RobustCrop.Core.Settings;
using RobustCrop.Worker.Pipeline;
using static RobustCrop.Worker.Tests.Pipeline.PipelineHarness;

namespace RobustCrop.Worker.Tests.Pipeline;

/// <summary>
/// evaluate, predict and fit-head run the same prepare → plan → infer path: a deployed mode classifies exactly the crop
/// evaluate measured for it, so its answers equal evaluate's rows, and unusable inputs give the same error rows.
/// </summary>
public sealed class OnePipelineTests
{
    private const int Crop = 16;
    private const int Resize = Crop + 10;

    private static List<ImageRecord> Records()
    {
        var records = NoiseRecords(12, Resize, Resize + 3, seed: 31);
        records.Add(new ImageRecord("bad/unreadable", null, null, null, ReadError: "gone"));
        return records;
    }

    private static readonly DatasetShard Shard = new(new ShardId(4), ShardSource.Of("memory"), 0, -1);

    [Fact]
    public async Task Predict_answers_as_evaluate_measured_the_same_crop()
    {
        using var model = Model(TinyModels.RandomProjection(Crop, 64, seed: 32), "proj", Crop, Resize);
        var run = new RunSettings(new RunId("r")) { WindowK = 1, Rics = RicsSelection.Of([5], RicsScores.Realistic, cyclic: true) };
        var evaluated = await new ShardEvaluator([model], run).EvaluateAsync(Shard, Records());

        var standard = new RobustPredictor(model, run, new PredictionMode(PredictionModeKind.Standard)).Predict(Shard, Records());
        Assert.Equal(evaluated.Images["proj"].Select(r => (r.ImageKey, r.Prediction)), standard.Predictions["proj"].Select(r => (r.ImageKey, r.Prediction)));
        Assert.Equal(evaluated.Inputs, standard.Inputs);
        Assert.Equal(evaluated.Errors, standard.Errors);

        foreach (var mode in new[] { new PredictionMode(PredictionModeKind.Rics, 5, RicsScore.Hash), new PredictionMode(PredictionModeKind.Rics, 5, RicsScore.Dog),
                     new PredictionMode(PredictionModeKind.Rics, 5, RicsScore.Blob), new PredictionMode(PredictionModeKind.RicsCyclic) })
        {
            var predicted = new RobustPredictor(model, run, mode).Predict(Shard, Records());
            var (rows, errors) = (predicted.Predictions["proj"], predicted.Errors);
            var measured = evaluated.Rics["proj"].Where(r => r.Score == mode.Selection!.Value.Name).ToList();
            Assert.Equal(measured.Select(r => (r.ImageKey, r.Prediction)), rows.Select(r => (r.ImageKey, r.Prediction)));
            Assert.Equal(evaluated.Errors, errors);
            Assert.All(rows, r => Assert.Equal(4, r.Shard));
        }
    }

    [Fact]
    public async Task Predict_with_a_combining_mode_answers_as_evaluate_and_infers_only_its_members()
    {
        using var model = Model(TinyModels.RandomProjection(Crop, 64, seed: 34), "proj", Crop, Resize);
        RicsMode[] modes = [RicsMode.Soft(1), RicsMode.Soft(2), RicsMode.Soft(4), RicsMode.Block(2), RicsMode.Rook(4), RicsMode.MeanAll];
        var run = new RunSettings(new RunId("r")) { WindowK = 1, Rics = RicsSelection.Of([5], [RicsScore.Hash], cyclic: false, modes: [RicsMode.Select, .. modes]) };
        var evaluated = await new ShardEvaluator([model], run).EvaluateAsync(Shard, Records());
        var scenes = Records().Where(r => r.Raw is not null).Select(r => r.Raw!).ToList();

        foreach (var mode in modes)
        {
            var predicted = new RobustPredictor(model, run, new PredictionMode(PredictionModeKind.Rics, 5, RicsScore.Hash, mode)).Predict(Shard, Records());
            var measured = evaluated.Rics["proj"].Where(r => r.Mode == mode.Name).ToList();
            Assert.Equal(measured.Select(r => (r.ImageKey, r.Prediction)), predicted.Predictions["proj"].Select(r => (r.ImageKey, r.Prediction)));
            // The cost predict prints is the member count: no extra hash-choice crop beside the members.
            Assert.Equal(scenes.Sum(scene => MemberCount(scene, mode, 5)), predicted.CropsInferred);
        }
    }

    /// <summary>By hand: b² for block b, b for rook b, n² for mean-all, and for soft k the candidates whose hash of the exact pixels reaches
    /// the top k/n² of the range (one, the select choice, when none does).</summary>
    private static int MemberCount(RgbImage scene, RicsMode mode, int n)
    {
        if (mode.Kind == RicsModeKind.Block) return mode.K * mode.K;
        if (mode.Kind == RicsModeKind.Rook) return mode.K;
        if (mode.Kind == RicsModeKind.MeanAll) return n * n;
        var b = new SceneGeometry(scene.Width, scene.Height, Resize, Crop).Base;
        int half = (n - 1) / 2, bx = b.X, by = b.Y, count = 0;
        for (int y = by - half; y <= by + half; y++)
            for (int x = bx - half; x <= bx + half; x++)
                if (WindowHashField.HashOf(scene, x, y, Crop, RicsSelection.DefaultSeed) >= RicsCombination.Threshold(mode.K, n)) count++;
        return Math.Max(count, 1);
    }

    [Fact]
    public async Task FitHead_embeds_the_base_crop_evaluate_measured()
    {
        using var model = Model(TinyModels.RandomProjection(Crop, 8, seed: 33), "emb", Crop, Resize, kind: Core.Models.OutputKind.Embedding);
        var run = new RunSettings(new RunId("r")) { WindowK = 1, KeepEmbeddings = true };
        var evaluated = await new ShardEvaluator([model], run).EvaluateAsync(Shard, Records());
        var baseCrops = evaluated.Crops["emb"].Where(c => c.Kind == CropKinds.Realistic && c.Dx == 0 && c.Dy == 0).ToDictionary(c => c.ImageKey, c => c.Embedding!);

        var embedded = new Dictionary<string, float[]>();
        var failed = new List<(string, ErrorStage)>();
        new BaseCropEmbedder(model, run).Run(Records(), (image, e) => embedded[image.Key] = e.ToArray(), (key, stage, _) => failed.Add((key, stage)));

        Assert.Equal(baseCrops.Keys.Order(), embedded.Keys.Order());
        Assert.All(embedded, kv => Assert.Equal(baseCrops[kv.Key], kv.Value));
        Assert.Equal([("bad/unreadable", ErrorStage.Read)], failed);
    }
}
