using RobustCrop.Core.Imaging;

namespace RobustCrop.Core.Rics;

/// <summary>
/// The smooth RICS score for every candidate of a block: the difference of two Gaussian blurs (σ and 1.6σ) of the
/// scene's luminance, read at each candidate crop's centre. Only pixels within ~3·1.6σ of the centre matter, all inside
/// the crop, so the score is a function of the crop's content. Separable filters over the block only: O(block · σ).
/// </summary>
public static class DogScoreField
{
    /// <summary>σ for an n×n window: a quarter of the window, so the field has extrema inside the window, not only on its edge.</summary>
    public static double SigmaFor(int window) => Math.Max(1.0, window / 4.0);

    public static void Compute(RgbImage scene, int x0, int y0, int width, int height, int cropSize, int window, Span<float> field)
    {
        double s = SigmaFor(window);
        CentreBlurField.Compute(scene, x0, y0, width, height, cropSize, [s, 1.6 * s], [1f, -1f], field);
    }
}
