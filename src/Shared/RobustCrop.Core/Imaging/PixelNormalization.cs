using System.Collections.Immutable;

namespace RobustCrop.Core.Imaging;

public enum ChannelOrder { Rgb, Bgr }

/// <summary>
/// How 8-bit RGB pixels become the model's float input (NCHW):
/// value = (pixel * Scale - mean) / std, with channels in <see cref="Order"/>.
/// Mean is either per channel (<see cref="Mean"/>) or a per-pixel image
/// (<see cref="MeanImage"/>, CHW in model channel order, Size×Size) as ML.NET's ResNet preprocessing uses.
/// </summary>
/// <remarks>
/// Immutable: the constructor copies what it is given, so a caller that changes its array afterwards, or anyone
/// holding the shared <see cref="ImageNet"/>, cannot change another model's input. Readers take spans of the
/// immutable arrays (<c>AsSpan</c>): no copy, no allocation in the crop writer's loop.
/// </remarks>
public sealed record PixelNormalization
{
    /// <param name="meanImage">Empty (the default, or a null array) for a per-channel mean only.</param>
    public PixelNormalization(ChannelOrder order, float scale, ReadOnlySpan<float> mean, ReadOnlySpan<float> std, ReadOnlySpan<float> meanImage = default)
    {
        Order = order;
        Scale = scale;
        Mean = [.. mean];
        Std = [.. std];
        MeanImage = meanImage.IsEmpty ? null : [.. meanImage];
    }

    public ChannelOrder Order { get; init; }

    public float Scale { get; init; }

    /// <summary>Per output channel, in model channel order.</summary>
    public ImmutableArray<float> Mean { get; init; }

    /// <summary>Per output channel, in model channel order.</summary>
    public ImmutableArray<float> Std { get; init; }

    /// <summary>Null when the mean is per channel only.</summary>
    public ImmutableArray<float>? MeanImage { get; init; }

    public static PixelNormalization ImageNet { get; } = new(
        ChannelOrder.Rgb, 1f / 255f, [0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f]);
}
