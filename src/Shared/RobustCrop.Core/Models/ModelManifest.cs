using RobustCrop.Core.Imaging;

namespace RobustCrop.Core.Models;

public enum OutputKind { Logits, Embedding }

/// <summary>One model of a zoo, with every path already resolved to an absolute file path.</summary>
/// <param name="Id">Used in file paths and tables: letters, digits, '-', '_', '.'.</param>
/// <param name="InputName">Graph input to feed; null = the model's only input.</param>
/// <param name="InputSize">C: the model's square input side.</param>
/// <param name="ResizeSize">R: the shorter side of the scene the model is measured on (R = C / crop_pct, or C + 2·margin).</param>
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
    /// <summary>
    /// The shorter side of the model's own preprocessing (C / crop_pct) when <c>resize.margin</c> replaced it for the
    /// measurement; null when the model is measured at its native resize.
    /// </summary>
    public int? NativeResizeSize { get; init; }

    /// <summary>
    /// The datasets (the first segment of an input's key) whose inputs the head's classes mean something for; empty:
    /// every input. Other inputs get the representation metrics only.
    /// </summary>
    public IReadOnlyList<string> HeadAppliesTo { get; init; } = [];

    /// <summary><c>input.layout</c>: the pipeline writes NCHW crops; an NHWC model gets them transposed on the way in.</summary>
    public TensorLayout InputLayout { get; init; } = TensorLayout.Nchw;

    /// <summary><c>input.type</c>: a float16 model gets its crops rounded to half precision (and its outputs widened back).</summary>
    public InputElementType InputType { get; init; } = InputElementType.Float32;

    /// <summary><c>output.name</c>: which graph output to read when a model has several; null = the first.</summary>
    public string? OutputName { get; init; }

    /// <summary><c>output.pool</c>: how a <c>[B, tokens, D]</c> output becomes one vector per image.</summary>
    public EmbeddingPool OutputPool { get; init; } = EmbeddingPool.Cls;

    /// <summary>The class-names file of a <c>.npy</c> zero-shot head (one name per line, in row order).</summary>
    public string? HeadClassesPath { get; init; }

    /// <summary><c>labels:</c> the dataset's label of each class, in class order (<see cref="ClassLabels"/>), for data
    /// labelled otherwise than the classes are named (ImageNet synset folders).</summary>
    public string? LabelsPath { get; init; }

    /// <summary>Whether class metrics apply to the input with this key (its dataset is the key's first segment).</summary>
    public bool ClassesApplyTo(string key)
    {
        if (HeadAppliesTo.Count == 0) return true;
        int slash = key.IndexOf('/');
        var dataset = slash < 0 ? key : key[..slash];
        return HeadAppliesTo.Contains(dataset, StringComparer.Ordinal);
    }

    /// <summary>Models that share this key share one scene per image (resize happens once per family, DESIGN §2).</summary>
    public (int Resize, Interpolation Interp) SceneFamily => (ResizeSize, Interpolation);

    public string PreprocessingDescription =>
        $"resize_shorter={ResizeSize} {Interpolation.ToString().ToLowerInvariant()} antialias; crop={InputSize}; " +
        $"order={ChannelOrder.ToString().ToLowerInvariant()}; scale={Scale}; " +
        (MeanImage is null ? $"mean=[{string.Join(',', Mean)}]" : $"mean_image={Path.GetFileName(MeanImage)}") +
        $"; std=[{string.Join(',', Std)}]" + (LowPassSigma is float s ? $"; lowpass_sigma={s}" : "") +
        (NativeResizeSize is int native ? $"; native_resize_shorter={native}" : "") +
        (InputLayout == TensorLayout.Nhwc ? "; layout=nhwc" : "") + (InputType == InputElementType.Float16 ? "; type=float16" : "")
        + (InputType == InputElementType.UInt8 ? "; type=uint8" : "");
}
