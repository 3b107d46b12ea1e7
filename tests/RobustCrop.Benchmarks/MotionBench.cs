using System.Diagnostics;
using System.Globalization;
using RobustCrop.Core.Motion;
using RobustCrop.IO.Imaging;

namespace RobustCrop.Benchmarks;

/// <summary>
/// What one moved view costs (DESIGN §4b, issue 22's target: under 2 ms per 256² scene on one core), on the shipped 512-px
/// sample photos re-rendered into 256-px scenes, bilinear: the plain resize for reference, then one view of each motion
/// (a subpixel view is one offset resize, a rotation one per-pixel resample, a zoom one resize, noise and jpeg work on the
/// scene). Single-threaded; milliseconds per view after a warm-up.
/// </summary>
public static class MotionBench
{
    public static int Run(IReadOnlyList<string> args, TextWriter output)
    {
        int rounds = args.Count > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
        var files = Directory.GetFiles(Path.Combine(RepoPaths.Samples, "photos")).Where(f => !f.EndsWith(".md", StringComparison.Ordinal)).Order().ToList();
        var sources = files.Select(f => ImageDecoder.Decode(File.ReadAllBytes(f), DecodeLimits.Default).Image!).ToList();
        var scenes = sources.Select(s => SceneResizer.ResizeShorterSide(s, 256, Interpolation.Bilinear)).ToList();

        // CPU time of the process as well as wall time: on a shared, loaded machine the wall clock counts the time other
        // processes held the core, the CPU time only this single-threaded loop's own work (and the GC's).
        (double Wall, double Cpu) Time(Action<int> one)
        {
            for (int i = 0; i < sources.Count; i++) one(i);
            var process = Process.GetCurrentProcess();
            var cpu = process.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            for (int r = 0; r < rounds; r++)
                for (int i = 0; i < sources.Count; i++) one(i);
            double wall = sw.Elapsed.TotalMilliseconds;
            process.Refresh();
            int n = rounds * sources.Count;
            return (wall / n, (process.TotalProcessorTime - cpu).TotalMilliseconds / n);
        }

        void Line(string what, (double Wall, double Cpu) t)
            => output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{what,-42} {t.Cpu,7:F3} ms CPU/view  ({t.Wall:F3} ms wall)"));

        output.WriteLine($"motion views of {sources.Count} sample photos (256-px scenes, bilinear, one core, {rounds} rounds)");
        Line("plain resize (reference)", Time(i => SceneResizer.ResizeShorterSide(sources[i], 256, Interpolation.Bilinear)));
        Line("subpixel:0.5 (one of 8 directions)", Time(i => SceneResizer.Render(sources[i], scenes[i].Width, scenes[i].Height, Interpolation.Bilinear, 0.5, -0.5)));
        Line("rotate:1 (one of ±θ)", Time(i => SceneRotation.Render(sources[i], scenes[i].Width, scenes[i].Height, Interpolation.Bilinear, 1, 128, 128)));
        Line("zoom:1.05 (one of s, 1/s)", Time(i => SceneResizer.Render(sources[i], scenes[i].Width, scenes[i].Height, Interpolation.Bilinear, 128 * 0.05, 128 * 0.05, 1.05)));
        Line("noise:2", Time(i => SceneNoise.Add(scenes[i], 2, 1, files[i])));
        Line("jpeg:75 (encode + decode)", Time(i => JpegSceneCodec.Instance.JpegRoundTrip(scenes[i], 75)));
        var all8 = Time(i => MotionViews.Render(new MotionSpec(MotionKind.Subpixel, 0.5), sources[i], scenes[i], 256,
            Interpolation.Bilinear, 1, files[i], null));
        Line("subpixel:0.5, all 8 views (per view)", (all8.Wall / 8, all8.Cpu / 8));
        return 0;
    }
}
