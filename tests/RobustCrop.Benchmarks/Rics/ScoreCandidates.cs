namespace RobustCrop.Benchmarks.Rics;

/// <summary>
/// A score tried by the motion bench, written plainly over <see cref="Plane"/>s: from the scene's luminance (with
/// <see cref="Margin"/> pixels around the candidates' centres) to a plane that covers every centre.
/// </summary>
public sealed record ScoreCandidate(string Name, Func<int, int> Margin, Func<Plane, int, Plane> Field)
{
    /// <summary>The field of the candidates whose top-left lies in the w×h block at (x0, y0): row-major, w × h.</summary>
    public float[] Compute(RgbImage scene, int x0, int y0, int w, int h, int crop, int n)
    {
        int m = Margin(n);
        int cx0 = x0 + crop / 2, cy0 = y0 + crop / 2;
        var luma = Plane.Luma(scene, cx0 - m, cy0 - m, w + 2 * m, h + 2 * m);
        var f = Field(luma, n);
        var field = new float[w * h];
        for (int j = 0; j < h; j++)
            for (int i = 0; i < w; i++) field[j * w + i] = f.At(cx0 + i, cy0 + j);
        return field;
    }

    private static double Sigma(double k, int n) => Math.Max(1.0, k * n);

    private static Plane Dog(Plane l, double s) => Plane.Map(l.Blur(s), l.Blur(1.6 * s), (a, b) => a - b);

    /// <summary>Signed DoG (σ, 1.6σ) with σ = k·n: bright blobs of the window's scale (k = 1/4 is the shipped dog).</summary>
    public static ScoreCandidate DogAt(double k) => new($"dog σ={k:0.##}n", n => Plane.Radius(1.6 * Sigma(k, n)), (l, n) => Dog(l, Sigma(k, n)));

    /// <summary>Squared DoG: blobs of either polarity.</summary>
    public static ScoreCandidate DogSquared(double k) => new($"dog² σ={k:0.##}n", n => Plane.Radius(1.6 * Sigma(k, n)),
        (l, n) => Dog(l, Sigma(k, n)).Map(v => v * v));

    /// <summary>Band-pass energy: DoG at σ = kb·n squared, pooled by a Gaussian of kp·n.</summary>
    public static ScoreCandidate BandEnergy(double kb, double kp) => new($"band energy σ={kb:0.##}n pool {kp:0.##}n",
        n => Plane.Radius(1.6 * Sigma(kb, n)) + Plane.Radius(Sigma(kp, n)),
        (l, n) => Dog(l, Sigma(kb, n)).Map(v => v * v).Blur(Sigma(kp, n)));

    /// <summary>Shi–Tomasi: the smaller eigenvalue of the structure tensor (gradients of the 1-px low-passed luminance) pooled by k·n.</summary>
    public static ScoreCandidate ShiTomasi(double k) => new($"shi-tomasi pool {k:0.##}n", n => Plane.Radius(1) + 1 + Plane.Radius(Sigma(k, n)),
        (l, n) =>
        {
            var (a, b, c) = Tensor(l, Sigma(k, n));
            var t = Plane.Map(a, c, (x, y) => (x + y) / 2);
            var d = Plane.Map(Plane.Map(a, c, (x, y) => (x - y) / 2), b, (u, v) => MathF.Sqrt(u * u + v * v));
            return Plane.Map(t, d, (x, y) => x - y);
        });

    /// <summary>Gradient energy (the structure tensor's trace) pooled by k·n.</summary>
    public static ScoreCandidate GradientEnergy(double k) => new($"gradient energy pool {k:0.##}n", n => Plane.Radius(1) + 1 + Plane.Radius(Sigma(k, n)),
        (l, n) =>
        {
            var (a, _, c) = Tensor(l, Sigma(k, n));
            return Plane.Map(a, c, (x, y) => x + y);
        });

    /// <summary>Blobs of edge energy at the window's scale: DoG (σ = k·n) of the fine gradient energy |∇(G₁ * L)|².</summary>
    public static ScoreCandidate EnergyBlob(double k) => new($"energy blob σ={k:0.##}n", n => Plane.Radius(1) + 1 + Plane.Radius(1.6 * Sigma(k, n)),
        (l, n) =>
        {
            var s = l.Blur(1);
            var ix = s.Conv(Plane.Derivative, Plane.Identity);
            var iy = s.Conv(Plane.Identity, Plane.Derivative);
            return Dog(Plane.Map(ix, iy, (x, y) => x * x + y * y), Sigma(k, n));
        });

    /// <summary>The DoG applied twice: a narrower band around the window's scale.</summary>
    public static ScoreCandidate DogTwice(double k) => new($"dog∘dog σ={k:0.##}n", n => 2 * Plane.Radius(1.6 * Sigma(k, n)),
        (l, n) => Dog(Dog(l, Sigma(k, n)), Sigma(k, n)));

    /// <summary>The twice-applied DoG on the scene low-passed by a Gaussian of σ0 first.</summary>
    public static ScoreCandidate DogTwiceLowPassed(double k, double sigma0) => new($"dog∘dog σ={k:0.##}n on G({sigma0:0.#})",
        n => Plane.Radius(sigma0) + 2 * Plane.Radius(1.6 * Sigma(k, n)),
        (l, n) => Dog(Dog(l.Blur(sigma0), Sigma(k, n)), Sigma(k, n)));

    /// <summary>The twice-applied DoG squared: window-scale blobs of either polarity.</summary>
    public static ScoreCandidate DogTwiceSquared(double k) => new($"(dog∘dog)² σ={k:0.##}n", n => 2 * Plane.Radius(1.6 * Sigma(k, n)),
        (l, n) => Dog(Dog(l, Sigma(k, n)), Sigma(k, n)).Map(v => v * v));

    /// <summary>The DoG applied <paramref name="times"/> times at σ = k·n on the scene low-passed by G(σ0) (σ0 = 0: none).</summary>
    public static ScoreCandidate DogPower(double k, int times, double sigma0) => new($"dog^{times} σ={k:0.###}n on G({sigma0:0.#})",
        n => (sigma0 > 0 ? Plane.Radius(sigma0) : 0) + times * Plane.Radius(1.6 * Sigma(k, n)),
        (l, n) =>
        {
            var p = sigma0 > 0 ? l.Blur(sigma0) : l;
            for (int i = 0; i < times; i++) p = Dog(p, Sigma(k, n));
            return p;
        });

    /// <summary>Determinant of the Hessian of G(σ = k·n) * L (scale-normalised): high on blobs of either polarity, near zero on
    /// edges and ridges, whose flat crests would make the peak's place along them a coin toss under resampling.</summary>
    public static ScoreCandidate Hessian(double k) => new($"det-hessian σ={k:0.###}n", n => Plane.Radius(Sigma(k, n)) + 1,
        (l, n) =>
        {
            var s = l.Blur(Sigma(k, n));
            var lxx = s.Conv([1f, -2f, 1f], [0f, 1f, 0f]);
            var lyy = s.Conv([0f, 1f, 0f], [1f, -2f, 1f]);
            var lxy = s.Conv(Plane.Derivative, Plane.Derivative);
            float norm = (float)Math.Pow(Sigma(k, n), 4);
            return Plane.Map(Plane.Map(lxx, lyy, (a, b) => a * b), lxy, (ab, c) => norm * (ab - c * c));
        });

    private static (Plane A, Plane B, Plane C) Tensor(Plane l, double pool)
    {
        var s = l.Blur(1);
        var ix = s.Conv(Plane.Derivative, Plane.Identity);
        var iy = s.Conv(Plane.Identity, Plane.Derivative);
        return (Plane.Map(ix, ix, (x, _) => x * x).Blur(pool), Plane.Map(ix, iy, (x, y) => x * y).Blur(pool), Plane.Map(iy, iy, (_, y) => y * y).Blur(pool));
    }
}
