using RobustCrop.Core.Data;
using RobustCrop.Core.Imaging;
using RobustCrop.Core.Motion;
using RobustCrop.Core.Results;
using RobustCrop.Core.Settings;
using RobustCrop.IO.Imaging;

namespace RobustCrop.Worker.Pipeline;

/// <summary>read → decode → resize once per family: everything before the model, as a pure function of the record.</summary>
/// <param name="times">Where decode and resize times are added (the bench); null: not timed.</param>
/// <param name="motionFamilies">The families whose moved views (<see cref="RunSettings.Motion"/>) are rendered, once each,
/// from the decoded source while it is at hand; every model of a family reads the same views.</param>
public sealed class ImagePreparer(IReadOnlyCollection<(int Resize, Interpolation Interp)> families, RunSettings settings, StageTimes? times = null,
    IReadOnlyCollection<(int Resize, Interpolation Interp)>? motionFamilies = null, ISceneCodec? codec = null)
{
    /// <summary>Never throws for bad input: whatever goes wrong becomes the image's error, so nothing is lost.</summary>
    public PreparedImage Prepare(ImageRecord record)
    {
        try { return PrepareCore(record); }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return PreparedImage.Failed(record.Key, record.Label, ErrorStage.Decode, e.Message.Split('\n')[0].Trim());
        }
    }

    private PreparedImage PrepareCore(ImageRecord record)
    {
        if (record.ReadError is not null) return PreparedImage.Failed(record.Key, record.Label, ErrorStage.Read, record.ReadError);
        RgbImage source;
        if (record.Raw is not null) source = record.Raw;
        else if (record.Encoded is { } bytes)
        {
            long decodeStarted = System.Diagnostics.Stopwatch.GetTimestamp();
            var decoded = ImageDecoder.Decode(bytes.Span, settings.DecodeLimits);
            times?.Add(Stage.Decode, decodeStarted);
            if (decoded.Image is null) return PreparedImage.Failed(record.Key, record.Label, ErrorStage.Decode, decoded.Error ?? "could not decode");
            source = decoded.Image;
        }
        else return PreparedImage.Failed(record.Key, record.Label, ErrorStage.Read, "record holds no image");

        int minSide = settings.DecodeLimits.MinSide;
        if (Math.Min(source.Width, source.Height) < minSide)
            return PreparedImage.Failed(record.Key, record.Label, ErrorStage.Plan, $"image {source.Width}x{source.Height} is smaller than the {minSide}-px minimum side");
        var scenes = new Dictionary<(int, Interpolation), RgbImage>();
        foreach (var family in families)
        {
            var (w, h) = SceneResizer.ShorterSideSize(source.Width, source.Height, family.Resize);
            if ((long)w * h > settings.MaxScenePixels)
                return PreparedImage.Failed(record.Key, record.Label, ErrorStage.Plan,
                    $"image {source.Width}x{source.Height} would resize to a {w}x{h} scene, over the {settings.MaxScenePixels}-pixel limit (aspect ratio too extreme)");
            long resizeStarted = System.Diagnostics.Stopwatch.GetTimestamp();
            scenes[family] = SceneResizer.ResizeShorterSide(source, family.Resize, family.Interp);
            times?.Add(Stage.Resize, resizeStarted);
        }
        Dictionary<(int, Interpolation), IReadOnlyList<MotionViewSet>>? views = null;
        if (settings.Motion.Length > 0 && motionFamilies is { Count: > 0 })
        {
            views = [];
            foreach (var family in motionFamilies)
            {
                long renderStarted = System.Diagnostics.Stopwatch.GetTimestamp();
                views[family] = [.. settings.Motion.Select(spec => MotionViews.Render(spec, source, scenes[family], family.Resize, family.Interp,
                    settings.Rics.Seed, record.Key, codec))];
                times?.Add(Stage.Resize, renderStarted);
            }
        }
        return new PreparedImage(record.Key, record.Label, source.Width, source.Height, scenes, Metadata: record.Metadata, Views: views);
    }
}
