using RobustCrop.Cli.Tests.Cluster;

namespace RobustCrop.Cli.Tests;

/// <summary>
/// Where the CUDA provider cannot load, the run says so in one line, once: not once per model of the zoo, nor once per
/// local worker that shares the sessions. On a machine with a working CUDA there is no such line at all.
/// </summary>
[Trait("Category", "Slow")]
public sealed class CudaFallbackLineTests
{
    [Fact]
    public async Task A_cuda_fallback_is_one_line_for_two_models_and_two_workers()
    {
        using var tmp = new TempDir();
        string dir = Directory.CreateDirectory(Path.Combine(tmp.Path, "zoo")).FullName;
        string zoo = NodeProcess.WriteTinyZoo(dir);
        File.AppendAllText(zoo, "\n  - { id: tiny2, onnx: tiny.onnx, input: { size: 48 }, resize: { size: 56 } }\n");
        var run = await CliHarness.RunAsync("evaluate", "--data", Path.Combine(AppContext.BaseDirectory, "samples", "fashion-mnist"),
            "--limit", "4", "--shard-size", "2", "--zoo", zoo, "--window", "1", "--threads", "1", "--workers", "2",
            "--device", "cuda:0", "--out", Path.Combine(tmp.Path, "out"), "--run-id", "cuda");
        Assert.True(run.ExitCode == 0, run.Err);
        Assert.True(run.ErrLines.Count(l => l.Contains("CUDA provider unavailable", StringComparison.Ordinal)) <= 1, run.Err);
        Assert.DoesNotContain(run.ErrLines, l => l.Contains("CUDA provider unavailable", StringComparison.Ordinal) && !l.EndsWith("running on CPU", StringComparison.Ordinal));
    }
}
