using RobustCrop.Core.Imaging;

namespace RobustCrop.Core.Rics;

/// <summary>
/// The <c>hessian</c> RICS score for every candidate of a block: the determinant of the Hessian of the scene's luminance
/// smoothed by a Gaussian of σ = 0.55 n, σ⁴(Lxx·Lyy − Lxy²), read at each candidate crop's centre. It is high at the centre of
/// a blob of the window's scale (bright or dark) and near zero along edges and ridges, where one curvature vanishes. That
/// is why it keeps its selection under re-rendering where the DoG scores do not (the rics-motion benchmark): a band-pass
/// responds to an edge with a ridge whose crest is flat, so the maximum's place along it is decided by the resampling's
/// noise; the determinant has isolated peaks instead. <see cref="RicsSelector"/> takes the best of the field's peaks in the
/// window (strict maxima over the 24 candidates of the 5×5 block around them), so the choice sits on an interior peak whenever the window
/// holds one, not on the flank of a peak outside it.
/// </summary>
/// <remarks>
/// Content only: the filters' radius is at most (C − 1)/2 − 2, so the score of a candidate and of each of its 24 neighbours
/// reads pixels of the candidate's crop alone, and "is a peak" is a function of the crop too. Lxx = (G * [1, −2, 1]) ⊗ G,
/// Lxy = (G * [−½, 0, ½]) ⊗ (G * [−½, 0, ½]): three separable terms, computed at the centres only (<see cref="CentreBlurField"/>).
/// </remarks>
public static class HessianScoreField
{
    /// <summary>σ of the Gaussian for an n×n window: 0.55 n (at least one pixel). Swept on images apart from the test sets
    /// (the rics-motion benchmark, issue 22; DESIGN §5): n/3 kept 69–80% of the selections under half-pixel motion, n/2
    /// 81–92%, 0.55 n with the 5×5 peak rule 83–96%; wider still lands on the window's edge more often and gains nothing.</summary>
    public static double SigmaFor(int window) => Math.Max(1.0, 0.55 * window);

    /// <summary>How far the peak rule looks: a peak is higher than every candidate up to this many pixels away (5×5), which
    /// passes over the small bumps on a larger peak's flank that half a pixel of resampling makes and unmakes.</summary>
    public const int PeakReach = 2;

    /// <summary>The filters' radius: the Gaussian's 3σ plus the difference stencil's one pixel, cut to (C − 1)/2 − <see cref="PeakReach"/>
    /// so that a candidate's score and those of the neighbours its peak test reads come from its own crop.</summary>
    public static int Radius(int window, int cropSize)
        => Math.Max(1, Math.Min((int)Math.Ceiling(3 * SigmaFor(window)) + 1, (cropSize - 1) / 2 - PeakReach));

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
