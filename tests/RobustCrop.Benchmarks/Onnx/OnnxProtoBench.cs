using System.Diagnostics;
using System.Globalization;

namespace RobustCrop.Benchmarks.Onnx;

/// <summary>
/// Issue 20 item 8: whether classes generated from onnx.proto (Google.Protobuf, already under every node through
/// Akka.Remote) should replace the hand-written ONNX layer. Reads the shipped ResNet18 and a large synthetic model each
/// way (every read in a fresh process, so that its peak working set is its own; the variants alternated, the best of
/// two kept), then times the load's rewrite on the weight-less graph both ways.
/// </summary>
/// <remarks>Run: <c>dotnet run -c Release --project tests/RobustCrop.Benchmarks -- onnx [extra-megabytes]</c>.</remarks>
public static class OnnxProtoBench
{
    public static int Run(string[] args, TextWriter output)
    {
        if (args is ["read", string variant, string file, string times])
        {
            var f = OnnxReadVariants.Measure(variant, file, int.Parse(times, CultureInfo.InvariantCulture));
            output.WriteLine(string.Join('\t', f.Variant, f.Ms.ToString("R", CultureInfo.InvariantCulture), f.AllocatedBytes, f.PeakWorkingSet, f.StartWorkingSet, f.Nodes));
            return 0;
        }
        int extraMb = args is [string mb] ? int.Parse(mb, CultureInfo.InvariantCulture) : 400;
        string resnet = Path.Combine(AppContext.BaseDirectory, "models", "ResNet18Onnx", "ResNet18.onnx");
        using var tmp = new TempDir();
        string large = Path.Combine(tmp.Path, "synthetic.onnx");
        SyntheticModel.Write(resnet, large, tensors: Math.Max(1, extraMb / 50), megabytesEach: Math.Min(50, extraMb));
        foreach (var (label, path, rounds) in new[] { ("ResNet18", resnet, 5), ("synthetic", large, 2) })
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{label} ({new FileInfo(path).Length / 1e6:F1} MB), per read:"));
            foreach (var f in Reads(path, rounds))
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {f.Variant,-29} {f.Ms,8:F1} ms  allocated {f.AllocatedBytes / 1e6,8:F1} MB  peak working set {f.PeakWorkingSet / 1e6,7:F1} MB (+{(f.PeakWorkingSet - f.StartWorkingSet) / 1e6:F1} over start)  {f.Nodes} nodes"));
            }
        }
        foreach (var (label, graph, rounds) in new[] { ("as OnnxGraphFile returns it", IO.Onnx.OnnxGraphFile.ReadGraph(resnet), 20),
                     ("with float_data referenced too", SyntheticModel.WeightlessGraph(resnet), 2000) })
        {
            var w = OnnxRewriteVariants.Measure(graph, rounds);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"batch-symbolic rewrite + inspect of ResNet18's graph {label} ({w.GraphBytes / 1e3:F1} kB): hand-written {w.HandWrittenMs:F3} ms, {w.HandWrittenBytes / 1e3:F0} kB allocated; generated {w.GeneratedMs:F3} ms, {w.GeneratedBytes / 1e3:F0} kB allocated; results equal: {w.Equal}"));
        }
        return 0;
    }

    private static List<OnnxReadVariants.Figures> Reads(string path, int rounds)
    {
        var best = new Dictionary<string, OnnxReadVariants.Figures>();
        for (int pass = 0; pass < 2; pass++)
        {
            foreach (string variant in OnnxReadVariants.Names)
            {
                var f = Child(variant, path, rounds);
                if (!best.TryGetValue(variant, out var b) || f.Ms < b.Ms) best[variant] = f;
            }
        }
        if (best.Values.Select(f => f.Nodes).Distinct().Count() != 1) throw new InvalidOperationException("the variants read different graphs");
        return [.. OnnxReadVariants.Names.Select(v => best[v])];
    }

    private static OnnxReadVariants.Figures Child(string variant, string path, int rounds)
    {
        string self = Environment.ProcessPath ?? throw new InvalidOperationException("no process path");
        var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
        // Under `dotnet RobustCrop.Benchmarks.dll` the process is the host: pass it the assembly.
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") start.ArgumentList.Add(typeof(OnnxProtoBench).Assembly.Location);
        foreach (string a in new[] { "onnx", "read", variant, path, rounds.ToString(CultureInfo.InvariantCulture) }) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {self}");
        string line = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{variant} on {path} exited with {process.ExitCode}");
        string[] p = line.Split('\t');
        long L(int i) => long.Parse(p[i], CultureInfo.InvariantCulture);
        return new OnnxReadVariants.Figures(p[0], double.Parse(p[1], CultureInfo.InvariantCulture), L(2), L(3), L(4), (int)L(5));
    }
}
