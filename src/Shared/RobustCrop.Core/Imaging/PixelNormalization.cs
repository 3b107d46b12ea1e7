namespace RobustCrop.Core.Imaging;

public enum ChannelOrder { Rgb, Bgr }

/// <summary>
/// How 8-bit RGB pixels become the model's float input (NCHW):
/// value = (pixel * Scale - mean) / std, with channels in <see cref="Order"/>.
/// Mean is either per channel (<see cref="Mean"/>) or a per-pixel image
/// (<see cref="MeanImage"/>, CHW in model channel order, Size×Size) as ML.NET's ResNet preprocessing uses.
/// </summary>
public sealed record PixelNormalization(
    ChannelOrder Order,
    float Scale,
    float[] Mean,
    float[] Std,
    float[]? MeanImage = null)
{
    public static PixelNormalization ImageNet { get; } = new(
        ChannelOrder.Rgb, 1f / 255f, [0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f]);
}
