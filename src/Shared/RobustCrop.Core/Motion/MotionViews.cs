using RobustCrop.Core.Geometry;
using RobustCrop.Core.Imaging;

namespace RobustCrop.Core.Motion;

/// <summary>
/// Where a view's point lies in the base scene: <c>scene = c + M·(p − c) + t</c>. Used to tell whether a RICS selection
/// in the view is the base selection's scene crop (<c>selection_kept</c>).
/// </summary>
public readonly record struct ViewMap(double M00, double M01, double M10, double M11, double Tx, double Ty, double Cx, double Cy)
{
    public static ViewMap Translation(double tx, double ty) => new(1, 0, 0, 1, tx, ty, 0, 0);

    public (double X, double Y) ToScene(double x, double y)
    {
        double px = x - Cx, py = y - Cy;
        return (Cx + M00 * px + M01 * py + Tx, Cy + M10 * px + M11 * py + Ty);
    }
}

/// <summary>
/// One moved view of an image: the scene it sees (re-rendered or degraded) and the integer shift of the frame in it
/// (jpeg:q also takes every N1 shift of the re-encoded scene). The view's crop is at base + shift of <see cref="Scene"/>.
/// </summary>
public sealed record MotionView(RgbImage Scene, Shift Shift, ViewMap Map);

/// <summary>One motion spec's views of one scene family.</summary>
public sealed record MotionViewSet(MotionSpec Spec, IReadOnlyList<MotionView> Views);

/// <summary>
/// Renders the views of a motion spec for one scene family (DESIGN §4b): geometric motions are re-rendered from the
/// decoded source with the family's interpolation (<see cref="SceneResizer.Render"/>, <see cref="SceneRotation"/>), so
/// no view is a resample of a resample; jpeg and noise degrade the scene itself. Pure: the codec is handed in.
/// </summary>
public static class MotionViews
{
    /// <param name="resize">The family's resize R; the frame (R×R, centred in the scene) is what rotates and zooms.</param>
    /// <param name="codec">For jpeg:q; null refuses jpeg.</param>
    public static MotionViewSet Render(MotionSpec spec, RgbImage source, RgbImage scene, int resize, Interpolation interp,
        ulong seed, string key, ISceneCodec? codec)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(scene);
        int w = scene.Width, h = scene.Height;
        var frame = new SceneGeometry(w, h, resize, resize);
        double cx = frame.FrameX + resize / 2.0, cy = frame.FrameY + resize / 2.0;
        var views = new List<MotionView>(9);
        switch (spec.Kind)
        {
            case MotionKind.Subpixel:
                foreach (var d in ShiftSets.N1)
                {
                    double ox = spec.Amount * d.Dx, oy = spec.Amount * d.Dy;
                    views.Add(new MotionView(SceneResizer.Render(source, w, h, interp, ox, oy), Shift.Zero, ViewMap.Translation(ox, oy)));
                }
                break;
            case MotionKind.Rotate:
                foreach (double theta in new[] { spec.Amount, -spec.Amount })
                {
                    double rad = theta * Math.PI / 180, cos = Math.Cos(rad), sin = Math.Sin(rad);
                    views.Add(new MotionView(SceneRotation.Render(source, w, h, interp, theta, cx, cy), Shift.Zero,
                        new ViewMap(cos, sin, -sin, cos, 0, 0, cx, cy)));
                }
                break;
            case MotionKind.Zoom:
                foreach (double s in new[] { spec.Amount, 1 / spec.Amount })
                {
                    // The view's pixel u shows the scene at c + (u + 0.5 − c)/s, i.e. the grid offset by c·(s − 1), magnified s.
                    var view = SceneResizer.Render(source, w, h, interp, cx * (s - 1), cy * (s - 1), s);
                    views.Add(new MotionView(view, Shift.Zero, new ViewMap(1 / s, 0, 0, 1 / s, 0, 0, cx, cy)));
                }
                break;
            case MotionKind.Jpeg:
                if (codec is null) throw new InvalidOperationException("jpeg motion needs a codec");
                var jpeg = codec.JpegRoundTrip(scene, (int)spec.Amount);
                views.Add(new MotionView(jpeg, Shift.Zero, ViewMap.Translation(0, 0)));
                foreach (var d in ShiftSets.N1) views.Add(new MotionView(jpeg, d, ViewMap.Translation(0, 0)));
                break;
            case MotionKind.Noise:
                views.Add(new MotionView(SceneNoise.Add(scene, spec.Amount, seed, key), Shift.Zero, ViewMap.Translation(0, 0)));
                break;
        }
        return new MotionViewSet(spec, views);
    }
}
