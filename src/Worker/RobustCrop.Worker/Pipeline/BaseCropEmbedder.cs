using RobustCrop.Core.Data;
using RobustCrop.IO.Data;
using RobustCrop.Core.Geometry;
using RobustCrop.Worker.Inference;

namespace RobustCrop.Worker.Pipeline;

/// <summary>
/// The model's normalised output on each image's base crop only (standard preprocessing): what a head is fitted on.
/// Shares the preparation and batching code of the shard pipeline.
/// </summary>
public sealed class BaseCropEmbedder(EvaluatedModel model, EvaluationSettings settings)
{
    private readonly ImagePreparer _preparer = new([model.Manifest.SceneFamily], settings);

    /// <param name="onEmbedding">Receives (image, normalised vector) for every usable image.</param>
    /// <param name="onError">Receives (key, stage, reason) for every unusable one.</param>
    public void Run(IEnumerable<ImageRecord> records, Action<PreparedImage, ReadOnlySpan<float>> onEmbedding, Action<string, string, string> onError)
    {
        var batcher = new ModelBatcher(model, settings.MaxBatch);
        var completed = new List<ImageModelWork>();
        foreach (var record in records)
        {
            var image = _preparer.Prepare(record);
            if (image.IsError) { onError(image.Key, image.ErrorStage!, image.Error!); continue; }
            var scene = image.Scenes[model.Manifest.SceneFamily];
            var plan = CropPlan.Build(new SceneGeometry(scene.Width, scene.Height, model.Manifest.ResizeSize, model.Manifest.InputSize), [], []);
            batcher.Add(new ImageModelWork(image, model, scene, plan), completed);
            Emit();
        }
        batcher.Flush(completed);
        Emit();

        void Emit()
        {
            foreach (var w in completed) onEmbedding(w.Image, w.Outputs.Vector(w.Plan.BaseIndex));
            completed.Clear();
        }
    }
}
