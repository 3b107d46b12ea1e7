using RobustCrop.Core.Data;
using RobustCrop.Core.Planning;
using RobustCrop.Core.Results;
using RobustCrop.Core.Settings;

namespace RobustCrop.Worker.Pipeline;

/// <summary>
/// The model's normalised output on each image's base crop only (standard preprocessing): what a head is fitted on.
/// The same pipeline as evaluate, with the base-crop plan and a sink that hands out embeddings.
/// </summary>
public sealed class BaseCropEmbedder(EvaluatedModel model, RunSettings settings)
{
    private readonly ImagePipeline _pipeline = new([model], settings, ImagePlanner.BaseCrop);

    /// <param name="onEmbedding">Receives (image, normalised vector) for every usable image.</param>
    /// <param name="onError">Receives (key, stage, reason) for every unusable one.</param>
    public void Run(IEnumerable<ImageRecord> records, Action<PreparedImage, ReadOnlySpan<float>> onEmbedding, Action<string, ErrorStage, string> onError)
        => _pipeline.Run(records, new EmbeddingSink(onEmbedding, onError));

    private sealed class EmbeddingSink(Action<PreparedImage, ReadOnlySpan<float>> onEmbedding, Action<string, ErrorStage, string> onError) : IPipelineSink
    {
        public void Failed(PreparedImage image, ErrorStage stage, string reason) => onError(image.Key, stage, reason);

        public void Completed(ImageModelWork w) => onEmbedding(w.Image, w.Outputs.Vector(w.Plan.BaseIndex));
    }
}
