using RobustCrop.Core.Models;
using RobustCrop.IO.Onnx;
using RobustCrop.Worker.Inference;
using RobustCrop.Worker.Pipeline;

namespace RobustCrop.Cli.Commands;

/// <summary>
/// The near-zero-cost model the bench's feed capacity is measured with: the uint8 [N,S,S,3] crops every model that
/// normalises in its graph takes, and the real model's output size (so crop assembly, the head and the metrics do the same
/// work). In between only the first pixel of each crop, cast and projected 3 → D: microseconds per batch, so what is
/// measured is everything RobustCrop does around a model. It takes the bytes as they are, with no normalisation prepended:
/// on an accelerator the normalisation runs on the device with the model, and on the CPU the cast, scale and mean/std of
/// 150,528 values per crop would be most of what the "null" model costs (0.32 of 0.50 ms per crop measured).
/// </summary>
internal static class FeedModel
{
    /// <param name="outputDim">The real model's output values per crop.</param>
    public static EvaluatedModel Load(ModelManifest manifest, int outputDim, DeviceSpec device)
    {
        var projection = new float[3 * outputDim];
        // Distinct columns: crops of different colour get different vectors, so the metrics see real cosines.
        for (int i = 0; i < projection.Length; i++) projection[i] = MathF.Sin(i + 1);
        int size = manifest.InputSize;
        byte[] graph = new OnnxGraphBuilder("feed_capacity")
            .AddByteInput("crops", "batch", size, size, 3)
            .AddOutput("output", "batch", outputDim)
            .AddInitializer("projection", [3, outputDim], projection)
            .AddFirstPixel("crops", "flat")
            .AddNode("MatMul", ["flat", "projection"], ["output"])
            .ToBytes();
        // One intra-op thread: the null model stands in for an accelerator, and a CPU session's idle intra-op threads spin
        // after every run, CPU time that no accelerator's session would spend and that feed/core would count as feeding.
        var session = new OnnxSession(graph, device, intraOpThreads: 1, expectedInputSize: size, modelName: "feed_capacity");
        try
        {
            // The real model's head, classes and preprocessing; no low-pass (that is part of the model's own cost).
            return ModelLoader.Wrap(manifest with { LowPassSigma = null, InputName = null }, session);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }
}
