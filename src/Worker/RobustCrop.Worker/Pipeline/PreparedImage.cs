using RobustCrop.Core.Imaging;
using RobustCrop.Core.Results;

namespace RobustCrop.Worker.Pipeline;

/// <summary>An input decoded once and resized once per scene family, or the reason it cannot be used.</summary>
public sealed record PreparedImage(
    string Key,
    string? Label,
    int SourceWidth,
    int SourceHeight,
    IReadOnlyDictionary<(int Resize, Interpolation Interp), RgbImage> Scenes,
    ErrorStage? ErrorStage = null,
    string? Error = null,
    Core.Data.SampleMetadata? Metadata = null,
    IReadOnlyDictionary<(int Resize, Interpolation Interp), IReadOnlyList<Core.Motion.MotionViewSet>>? Views = null)
{
    public bool IsError => Error is not null;

    public static PreparedImage Failed(string key, string? label, ErrorStage stage, string error)
        => new(key, label, 0, 0, new Dictionary<(int, Interpolation), RgbImage>(), stage, error);
}
