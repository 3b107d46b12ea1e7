namespace RobustCrop.Core.Imaging;

/// <summary>Bounds on what the image decoder accepts; everything outside them is an error row, not a crash.</summary>
/// <param name="MaxPixels">Largest width·height (upright) accepted; checked against the header before any pixel memory is allocated.</param>
/// <param name="MaxBytes">Largest encoded size accepted.</param>
/// <param name="MinSide">Smallest width or height accepted.</param>
public sealed record DecodeLimits(long MaxPixels = 40_000_000, long MaxBytes = 64L * 1024 * 1024, int MinSide = 8)
{
    public static DecodeLimits Default { get; } = new();
}
