using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using RobustCrop.Core.Motion;
using RobustCrop.IO.Imaging;
using SkiaSharp;

namespace RobustCrop.Benchmarks.Motion;

/// <summary>
/// What one moved view costs (DESIGN §4b, issue 22's target: under 2 ms per 256² scene on one core), on the shipped 512-px
/// sample photos re-rendered into 256-px scenes, bilinear: the plain resize for reference, then one view of each motion
/// (a subpixel view is one offset resize, a rotation one per-pixel resample, a zoom one resize, noise and jpeg work on the
/// scene), and beside rotate, noise and jpeg their first versions, alternated with the current ones in every round so that
/// both see the same machine load. JPEG is also split into the codec's own encode and decode and the conversions around
/// them. Single-threaded: the figures are the calling thread's CPU time (what the loop itself used, whatever else the
/// shared machine runs) and the wall time, per view, the minimum over the rounds of one pass over the photos.
/// </summary>
public static partial class MotionBench
{
    public static int Run(IReadOnlyList<string> args, TextWriter output)
    {
        int rounds = args.Count > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
        var files = Directory.GetFiles(Path.Combine(RepoPaths.Samples, "photos")).Where(f => !f.EndsWith(".md", StringComparison.Ordinal)).Order().ToList();
        var sources = files.Select(f => ImageDecoder.Decode(File.ReadAllBytes(f), DecodeLimits.Default).Image!).ToList();
        var scenes = sources.Select(s => SceneResizer.ResizeShorterSide(s, 256, Interpolation.Bilinear)).ToList();
        var jpegs = scenes.Select(s => { using var d = JpegSceneCodec.Encode(s, 75); return d.ToArray(); }).ToList();
        var rgba = scenes.Select(s => new byte[s.Width * s.Height * 4]).ToList();
        int n = sources.Count;

        var cases = new (string Name, Action<int> One)[]
        {
            ("plain resize (reference)", i => SceneResizer.ResizeShorterSide(sources[i], 256, Interpolation.Bilinear)),
            ("subpixel:0.5 (one of 8 directions)", i => SceneResizer.Render(sources[i], scenes[i].Width, scenes[i].Height, Interpolation.Bilinear, 0.5, -0.5)),
            ("subpixel:0.5, all 8 views (per view ×8)", i => MotionViews.Render(new MotionSpec(MotionKind.Subpixel, 0.5), sources[i], scenes[i], 256,
                Interpolation.Bilinear, 1, files[i], null)),
            ("zoom:1.05 (one of s, 1/s)", i => SceneResizer.Render(sources[i], scenes[i].Width, scenes[i].Height, Interpolation.Bilinear, 128 * 0.05, 128 * 0.05, 1.05)),
            ("rotate:1, first version (scalar)", i => SceneRotationReference.Render(sources[i], scenes[i].Width, scenes[i].Height, Interpolation.Bilinear, 1, 128, 128)),
            ("rotate:1 (one of ±θ)", i => SceneRotation.Render(sources[i], scenes[i].Width, scenes[i].Height, Interpolation.Bilinear, 1, 128, 128)),
            ("noise:2, first version (Box–Muller)", i => FirstMotionRenderers.BoxMullerNoise(scenes[i], 2, 1, files[i])),
            ("noise:2", i => SceneNoise.Add(scenes[i], 2, 1, files[i])),
            ("jpeg:75, first version (SKBitmap)", i => FirstMotionRenderers.BitmapJpegRoundTrip(scenes[i], 75)),
            ("jpeg:75 (encode + decode)", i => JpegSceneCodec.Instance.JpegRoundTrip(scenes[i], 75)),
            ("  jpeg: RGB → RGBA only", i => JpegSceneCodec.RgbToRgba(scenes[i].Pixels, rgba[i])),
            ("  jpeg: encode only (libjpeg-turbo)", i => EncodeOnly(rgba[i], scenes[i].Width, scenes[i].Height)),
            ("  jpeg: decode only (SKCodec → RGBA)", i => DecodeOnly(jpegs[i], rgba[i])),
            ("  jpeg: decode to RGB (ImageDecoder)", i => ImageDecoder.Decode(jpegs[i], DecodeLimits.Default)),
        };

        var best = cases.Select(_ => (Cpu: double.MaxValue, Wall: double.MaxValue)).ToArray();
        foreach (var c in cases) for (int i = 0; i < n; i++) c.One(i); // warm-up: JIT tiers, pools
        for (int r = 0; r < rounds; r++)
            for (int k = 0; k < cases.Length; k++)
            {
                long cpu0 = ThreadCpuNanoseconds();
                var sw = Stopwatch.StartNew();
                for (int i = 0; i < n; i++) cases[k].One(i);
                double wall = sw.Elapsed.TotalMilliseconds / n, cpu = (ThreadCpuNanoseconds() - cpu0) / 1e6 / n;
                best[k] = (Math.Min(best[k].Cpu, cpu), Math.Min(best[k].Wall, wall));
            }

        // The scenes are 256 px on the shorter side, so most are larger than 256²: the target is per 256² scene, and every
        // view's work is proportional to its pixels, so the last column scales the per-view time to 256².
        double perSquare = 256.0 * 256 / scenes.Average(s => (double)s.Width * s.Height);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"motion views of {n} sample photos (256-px scenes, mean {scenes.Average(s => (double)s.Width * s.Height):F0} px; bilinear, one thread, min over {rounds} rounds, old and new alternated)"));
        for (int k = 0; k < cases.Length; k++)
        {
            var (cpu, wall) = best[k];
            if (cases[k].Name.Contains("all 8", StringComparison.Ordinal)) (cpu, wall) = (cpu / 8, wall / 8);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{cases[k].Name,-42} {cpu,7:F3} ms CPU/view  ({wall:F3} ms wall)  {cpu * perSquare,7:F3} ms CPU per 256² scene"));
        }
        return 0;
    }

    private static void EncodeOnly(byte[] rgba, int width, int height)
    {
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        unsafe
        {
            fixed (byte* p = rgba)
            {
                using var pixmap = new SKPixmap(info, (IntPtr)p, info.RowBytes);
                using var data = pixmap.Encode(SKEncodedImageFormat.Jpeg, 75);
            }
        }
    }

    private static void DecodeOnly(byte[] jpeg, byte[] rgba)
    {
        using var data = SKData.CreateCopy(jpeg);
        using var codec = SKCodec.Create(data);
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        unsafe
        {
            fixed (byte* p = rgba) codec.GetPixels(info, (IntPtr)p);
        }
    }

    // This thread's CPU time (Linux CLOCK_THREAD_CPUTIME_ID): nanosecond resolution, unlike the process's tick-counted total,
    // and blind to the other processes of a shared machine and to the runtime's background threads.
    private static long ThreadCpuNanoseconds()
    {
        if (ClockGetTime(3, out var t) != 0) throw new InvalidOperationException("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
        return t.Seconds * 1_000_000_000L + t.Nanoseconds;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);
}
