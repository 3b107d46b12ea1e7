namespace RobustCrop.IO.Models;

/// <summary>
/// The preprocessing each exporter's models were trained with, filling what a manifest leaves out (every field a
/// manifest gives wins). Sources: timm's default <c>pretrained_cfg</c> (crop_pct 0.875, bicubic for most ViTs and
/// ConvNeXts, ImageNet mean/std), open_clip's <c>image_transform</c> (Resize(224, bicubic) + CenterCrop(224), so
/// crop_pct 1.0, with OpenAI CLIP's own mean/std), DINOv2's evaluation transform (Resize(256, bicubic) + CenterCrop(224),
/// ImageNet mean/std) and torchvision's ImageNet classifiers (Resize(256, bilinear) + CenterCrop(224)).
/// </summary>
public sealed record ZooPreset(string Name, int InputSize, double CropPct, string Interpolation, float[] Mean, float[] Std, string Output);

public static class ZooPresets
{
    public static readonly float[] ImageNetMean = [0.485f, 0.456f, 0.406f];
    public static readonly float[] ImageNetStd = [0.229f, 0.224f, 0.225f];

    /// <summary>OpenAI CLIP's normalisation, which every open_clip model uses (OPENAI_DATASET_MEAN / _STD).</summary>
    public static readonly float[] ClipMean = [0.48145466f, 0.4578275f, 0.40821073f];
    public static readonly float[] ClipStd = [0.26862954f, 0.26130258f, 0.27577711f];

    public static IReadOnlyList<ZooPreset> All { get; } =
    [
        new("timm", 224, 0.875, "bicubic", ImageNetMean, ImageNetStd, "logits"),
        new("open_clip", 224, 1.0, "bicubic", ClipMean, ClipStd, "embedding"),
        new("dinov2", 224, 0.875, "bicubic", ImageNetMean, ImageNetStd, "embedding"),
        new("imagenet", 224, 0.875, "bilinear", ImageNetMean, ImageNetStd, "logits"),
    ];

    public static IEnumerable<string> Names => All.Select(p => p.Name);

    public static ZooPreset? Find(string name) => All.FirstOrDefault(p => p.Name == name.Replace('-', '_').ToLowerInvariant());
}
