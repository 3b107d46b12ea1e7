using RobustCrop.Core.Imaging;

namespace RobustCrop.Core.Rics;

/// <summary>
/// The <c>hessian</c> RICS score for every candidate of a block: the determinant of the Hessian of the scene's luminance
/// smoothed by a Gaussian of σ = n/2, σ⁴(Lxx·Lyy − Lxy²), read at each candidate crop's centre. It is high at the centre of
/// a blob of the window's scale (bright or dark) and near zero along edges and ridges, where one curvature vanishes. That
/// is why it keeps its selection under re-rendering where the DoG scores do not (the rics-motion benchmark): a band-pass
/// responds to an edge with a ridge whose crest is flat, so the maximum's place along it is decided by the resampling's
/// noise; the determinant has isolated peaks instead. <see cref="RicsSelector"/> takes the best of the field's peaks in the
/// window (strict maxima over the 8 neighbouring candidates), so the choice sits on an interior peak whenever the window
/// holds one, not on the flank of a peak outside it.
/// </summary>
/// <remarks>
/// Content only: the filters' radius is at most (C − 1)/2 − 1, so the score of a candidate and of each of its 8 neighbours
/// reads pixels of the candidate's crop alone, and "is a peak" is a function of the crop too. Lxx = (G * [1, −2, 1]) ⊗ G,
/// Lxy = (G * [−½, 0, ½]) ⊗ (G * [−½, 0, ½]): three separable terms, computed at the centres only (<see cref="CentreBlurField"/>).
/// </remarks>
public static class HessianScoreField
{
    /// <summary>σ of the Gaussian for an n×n window: half the window (at least one pixel). Swept on images apart from the
    /// test sets (the rics-motion benchmark, issue 22): n/3 kept 69–75% of the selections under half-pixel motion, n/2 79–87%;
    /// wider still gains little and lands on the window's edge more often.</summary>
    public static double SigmaFor(int window) => Math.Max(1.0, window / 2.0);

    /// <summary>The filters' radius: the Gaussian's 3σ plus the difference stencil's one pixel, cut to (C − 1)/2 − 1.</summary>
    public static int Radius(int window, int cropSize)
        => Math.Max(1, Math.Min((int)Math.Ceiling(3 * SigmaFor(window)) + 1, (cropSize - 1) / 2 - 1));

    public static void Compute(RgbImage scene, int x0, int y0, int width, int height, int cropSize, int window, Span<float> field)
    {
        if (field.Length < width * height) throw new ArgumentException("field too small", nameof(field));
        double sigma = SigmaFor(window);
        int radius = Radius(window, cropSize), taps = 2 * radius + 1, area = width * height;
        // The Gaussian over radius − 1, then each kernel as the Gaussian correlated with its stencil (zero-padded to the radius).
        var g = new float[taps - 2];
        CentreBlurField.Kernel(sigma, radius - 1, g);
        float At(int i) => i >= 1 && i <= taps - 2 ? g[i - 1] : 0f;
        float[] kx = new float[3 * taps], ky = new float[3 * taps];
        for (int j = 0; j < taps; j++)
        {
            float smooth = At(j), second = At(j - 1) - 2 * At(j) + At(j + 1), first = 0.5f * (At(j - 1) - At(j + 1));
            (kx[j], kx[taps + j], kx[2 * taps + j]) = (second, smooth, first);
            (ky[j], ky[taps + j], ky[2 * taps + j]) = (smooth, second, first);
        }
        var terms = new float[3 * area];
        CentreBlurField.ComputeTerms(scene, x0, y0, width, height, cropSize, radius, kx, ky, terms);
        float norm = (float)(sigma * sigma * sigma * sigma);
        for (int i = 0; i < area; i++)
        {
            float lxx = terms[i], lyy = terms[area + i], lxy = terms[2 * area + i];
            field[i] = norm * (lxx * lyy - lxy * lxy);
        }
    }
}
