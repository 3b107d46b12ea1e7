using RobustCrop.Coordinator.Jobs;

namespace RobustCrop.Coordinator.Rehearsal;

/// <summary>
/// A zoo of one model that costs next to nothing (<see cref="BenchFeed.Graph"/>) with ResNet18's input (224 px crops of
/// a 256 px resize, uint8 bytes in, no normalisation) and its 512-d embedding output, so a run measures everything around
/// the model — decode, resize, plan, crops, metrics, Parquet, storage, the cluster — and not the model.
/// </summary>
public static class FeedZoo
{
    public const string ModelId = "feed";
    public const int InputSize = 224, ResizeSize = 256, OutputDim = 512;

    /// <summary>Writes <c>feed.onnx</c> and <c>zoo.yaml</c> into <paramref name="folder"/>; returns the zoo file's path.</summary>
    public static string Write(string folder)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, "feed.onnx"), BenchFeed.Graph(InputSize, OutputDim));
        string zoo = Path.Combine(folder, "zoo.yaml");
        File.WriteAllText(zoo, $$"""
            # A near-zero-cost stand-in with ResNet18's input and output shape (written by robustcrop rehearsal-data):
            # the first pixel of each crop projected to {{OutputDim}} values, microseconds per batch.
            models:
              - id: {{ModelId}}
                description: near-zero-cost model with the real input shape, to measure the system and not the model
                onnx: feed.onnx
                input: { size: {{InputSize}}, layout: nhwc, type: uint8 }
                resize: { size: {{ResizeSize}}, interpolation: bilinear }
                output: { kind: embedding }

            """);
        return zoo;
    }
}
