using RobustCrop.Core.Imaging;
using RobustCrop.Core.Models;

namespace RobustCrop.Worker.Pipeline;

/// <summary>A zoo model ready to run: manifest, inference backend, input normalisation and output interpretation.</summary>
public sealed class EvaluatedModel(ModelManifest manifest, IBatchInference inference, PixelNormalization normalization, OutputInterpreter interpreter, string device)
    : IDisposable
{
    public ModelManifest Manifest { get; } = manifest;
    public IBatchInference Inference { get; } = inference;
    public PixelNormalization Normalization { get; } = normalization;
    public OutputInterpreter Interpreter { get; } = interpreter;

    /// <summary>Where it actually runs ("cpu", "cuda:0").</summary>
    public string Device { get; } = device;

    public string Id => Manifest.Id;

    /// <summary>The batch <c>--batch auto</c> runs it with: measured on CUDA at load, <see cref="Core.Settings.RunSettings.DefaultBatch"/> elsewhere.</summary>
    public int AutoBatch { get; init; } = Core.Settings.RunSettings.DefaultBatch;

    /// <summary>The batch batches are filled to under <paramref name="requested"/> (a fixed size, or auto).</summary>
    public int BatchFor(int requested) => requested == Core.Settings.RunSettings.AutoBatch ? AutoBatch : requested;

    public void Dispose() => Inference.Dispose();
}
