namespace RobustCrop.Benchmarks.Rics;

/// <summary>
/// A float plane over a rectangle of the scene (element 0 at scene (X0, Y0)), with "valid" separable convolutions that
/// shrink it by the kernel radius: the bench's slow, plain way to try score fields before one is written for the product.
/// </summary>
public sealed class Plane(int x0, int y0, int width, int height)
{
    public int X0 { get; } = x0;
    public int Y0 { get; } = y0;
    public int Width { get; } = width;
    public int Height { get; } = height;
    public float[] Data { get; } = new float[width * height];

    public float At(int sceneX, int sceneY) => Data[(sceneY - Y0) * Width + sceneX - X0];

    public static Plane Luma(RgbImage scene, int x0, int y0, int width, int height)
    {
        var p = new Plane(x0, y0, width, height);
        for (int y = 0; y < height; y++)
        {
            ReadOnlySpan<byte> row = scene.ReadOnlyRow(y0 + y);
            for (int x = 0; x < width; x++)
            {
                int i = 3 * (x0 + x);
                p.Data[y * width + x] = 0.299f * row[i] + 0.587f * row[i + 1] + 0.114f * row[i + 2];
            }
        }
        return p;
    }

    public Plane Conv(float[] kx, float[] ky)
    {
        int rx = kx.Length / 2, ry = ky.Length / 2;
        var h = new Plane(X0 + rx, Y0, Width - 2 * rx, Height);
        for (int y = 0; y < h.Height; y++)
            for (int x = 0; x < h.Width; x++)
            {
                float acc = 0;
                for (int t = 0; t < kx.Length; t++) acc += kx[t] * Data[y * Width + x + t];
                h.Data[y * h.Width + x] = acc;
            }
        var v = new Plane(h.X0, Y0 + ry, h.Width, Height - 2 * ry);
        for (int y = 0; y < v.Height; y++)
            for (int x = 0; x < v.Width; x++)
            {
                float acc = 0;
                for (int t = 0; t < ky.Length; t++) acc += ky[t] * h.Data[(y + t) * h.Width + x];
                v.Data[y * v.Width + x] = acc;
            }
        return v;
    }

    public Plane Blur(double sigma) { var k = Gauss(sigma); return Conv(k, k); }

    /// <summary>f(a, b) over the part both planes cover.</summary>
    public static Plane Map(Plane a, Plane b, Func<float, float, float> f)
    {
        int x0 = Math.Max(a.X0, b.X0), y0 = Math.Max(a.Y0, b.Y0);
        int x1 = Math.Min(a.X0 + a.Width, b.X0 + b.Width), y1 = Math.Min(a.Y0 + a.Height, b.Y0 + b.Height);
        var p = new Plane(x0, y0, x1 - x0, y1 - y0);
        for (int y = y0; y < y1; y++)
            for (int x = x0; x < x1; x++) p.Data[(y - y0) * p.Width + x - x0] = f(a.At(x, y), b.At(x, y));
        return p;
    }

    public Plane Map(Func<float, float> f)
    {
        var p = new Plane(X0, Y0, Width, Height);
        for (int i = 0; i < Data.Length; i++) p.Data[i] = f(Data[i]);
        return p;
    }

    public static int Radius(double sigma) => (int)Math.Ceiling(3 * sigma);

    public static float[] Gauss(double sigma)
    {
        int r = Radius(sigma);
        var k = new float[2 * r + 1];
        double sum = 0;
        for (int i = -r; i <= r; i++) sum += k[i + r] = (float)Math.Exp(-i * i / (2 * sigma * sigma));
        for (int i = 0; i < k.Length; i++) k[i] = (float)(k[i] / sum);
        return k;
    }

    public static readonly float[] Identity = [1f];
    public static readonly float[] Derivative = [-0.5f, 0f, 0.5f];
}
