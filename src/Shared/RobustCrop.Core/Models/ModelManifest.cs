using RobustCrop.Core.Imaging;

namespace RobustCrop.Core.Models;

public enum OutputKind { Logits, Embedding }

/// <summary>One model of a zoo, with every path already resolved to an absolute file path.</summary>
/// <param name="Id">Used in file paths and tables: letters, digits, '-', '_', '.'.</param>
/// <param name="InputName">Graph input to feed; null = the model's only input.</param>
/// <param name="InputSize">C: the model's square input side.</param>
/// <param name="ResizeSize">R: the shorter side of the scene (R = C / crop_pct).</param>
/// <param name="MeanImage">Optional per-pixel mean, "file.onnx#Initializer", replacing the per-channel mean.</param>
/// <param name="LowPassSigma">When set, a Gaussian low-pass (input-side anti-aliasing) is prepended to the graph.</param>
public sealed record ModelManifest(
    string Id,
    string OnnxPath,
    string? InputName,
    int InputSize,
    int ResizeSize,
    Interpolation Interpolation,
    ChannelOrder ChannelOrder,
    float Scale,
    float[] Mean,
    float[] Std,
    string? MeanImage,
    OutputKind Output,
    string? HeadPath,
    float? LowPassSigma,
    int LowPassRadius)
{
    /// <summary>Models that share this key share one scene per image (resize happens once per family, DESIGN §2).</summary>
    public (int Resize, Interpolation Interp) SceneFamily => (ResizeSize, Interpolation);

    public string PreprocessingDescription =>
        $"resize_shorter={ResizeSize} {Interpolation.ToString().ToLowerInvariant()} antialias; crop={InputSize}; " +
        $"order={ChannelOrder.ToString().ToLowerInvariant()}; scale={Scale}; " +
        (MeanImage is null ? $"mean=[{string.Join(',', Mean)}]" : $"mean_image={Path.GetFileName(MeanImage)}") +
        $"; std=[{string.Join(',', Std)}]" + (LowPassSigma is float s ? $"; lowpass_sigma={s}" : "");
}
