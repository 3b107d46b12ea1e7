namespace RobustCrop.Core.Geometry;

/// <summary>A move of the view by (Dx, Dy) pixels; positive Dx moves the frame right over the scene.</summary>
public readonly record struct Shift(int Dx, int Dy)
{
    public static Shift Zero => default;

    public bool IsZero => Dx == 0 && Dy == 0;

    /// <summary>Chebyshev length: the k of the smallest window Wk that holds this shift.</summary>
    public int Radius => Math.Max(Math.Abs(Dx), Math.Abs(Dy));

    public override string ToString() => $"({Dx},{Dy})";
}
