namespace RobustCrop.Core.Geometry;

/// <summary>
/// DESIGN §2 for one resized image (the scene) and one model input size.
/// The frame is the R×R window centred in the scene; the base crop is the C×C centre of the frame;
/// the standard prediction under a realistic shift Δ is the crop at Base + Δ.
/// </summary>
public sealed record SceneGeometry
{
    public SceneGeometry(int sceneWidth, int sceneHeight, int resizeSize, int cropSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cropSize);
        if (resizeSize < cropSize) throw new ArgumentException($"resize size {resizeSize} is smaller than the crop size {cropSize}");
        if (Math.Min(sceneWidth, sceneHeight) < resizeSize)
            throw new ArgumentException($"scene {sceneWidth}x{sceneHeight} is smaller than the {resizeSize}-px frame");
        SceneWidth = sceneWidth;
        SceneHeight = sceneHeight;
        ResizeSize = resizeSize;
        CropSize = cropSize;
        // torchvision's CenterCrop: int(round((size - crop) / 2)), with Python's round-half-to-even.
        FrameX = CentreOffset(sceneWidth, resizeSize);
        FrameY = CentreOffset(sceneHeight, resizeSize);
        BaseX = FrameX + CentreOffset(resizeSize, cropSize);
        BaseY = FrameY + CentreOffset(resizeSize, cropSize);
    }

    public int SceneWidth { get; }
    public int SceneHeight { get; }
    public int ResizeSize { get; }
    public int CropSize { get; }
    public int FrameX { get; }
    public int FrameY { get; }
    public int BaseX { get; }
    public int BaseY { get; }

    public CropPosition Base => new(BaseX, BaseY);

    public CropPosition Shifted(Shift s) => new(BaseX + s.Dx, BaseY + s.Dy);

    /// <summary>
    /// A realistic shift is taken when the model's crop stays inside the scene: the crop is all the model sees,
    /// so the frame's own edge does not limit it (a square image has no spare frame but still has R−C spare crop pixels).
    /// </summary>
    public bool Supports(Shift s) => Contains(Shifted(s));

    public bool Contains(CropPosition p)
        => p.X >= 0 && p.Y >= 0 && p.X + CropSize <= SceneWidth && p.Y + CropSize <= SceneHeight;

    /// <summary>The largest k such that every shift of Wk is supported.</summary>
    public int MaxWindowRadius
        => Math.Min(Math.Min(BaseX, SceneWidth - CropSize - BaseX), Math.Min(BaseY, SceneHeight - CropSize - BaseY));

    private static int CentreOffset(int outer, int inner)
        => (int)Math.Round((outer - inner) / 2.0, MidpointRounding.ToEven);
}

/// <summary>Top-left corner of a crop in scene coordinates.</summary>
public readonly record struct CropPosition(int X, int Y)
{
    public override string ToString() => $"({X},{Y})";
}
