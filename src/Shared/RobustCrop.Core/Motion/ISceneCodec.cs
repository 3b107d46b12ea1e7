using RobustCrop.Core.Imaging;

namespace RobustCrop.Core.Motion;

/// <summary>Re-encodes a scene the way a camera's stream would (<c>jpeg:q</c>); the codec lives in the IO layer.</summary>
public interface ISceneCodec
{
    /// <summary>The scene after a JPEG round trip at <paramref name="quality"/> (1–100); same size.</summary>
    RgbImage JpegRoundTrip(RgbImage scene, int quality);
}
