using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using RobustCrop.IO.Onnx;

namespace RobustCrop.Cli.Tests.Cluster;

/// <summary>A robustcrop or robustcrop-worker OS process, its output collected; killed (whole tree) on Dispose.</summary>
public sealed partial class NodeProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Lock _gate = new();
    // Released once per output line, so a wait for a line wakes as it arrives (a test that kills a node mid-shard must
    // act within the shard's milliseconds, not a polling interval later).
    private readonly SemaphoreSlim _lines = new(0);

    private NodeProcess(string dll, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) psi.Environment[name] = value;
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, dll));
        foreach (var a in args) psi.ArgumentList.Add(a);
        _process = new Process { StartInfo = psi };
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_gate) _output.AppendLine(line);
        _lines.Release();
    }

    public static NodeProcess Coordinator(params string[] args) => new("robustcrop.dll", args);

    public static NodeProcess Worker(params string[] args) => new("robustcrop-worker.dll", args);

    public static NodeProcess WorkerWithEnvironment(IReadOnlyDictionary<string, string> environment, params string[] args)
        => new("robustcrop-worker.dll", args, environment);

    /// <summary>SIGTERM, as Kubernetes stops a pod: the process decides how to stop.</summary>
    public void Terminate()
    {
        if (!_process.HasExited) _ = SendSignal(_process.Id, 15);
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "kill")]
    private static partial int SendSignal(int pid, int signal);

    /// <summary>A process with extra environment variables (secrets such as the TLS password travel this way, never as arguments).</summary>
    public static NodeProcess WithEnvironment(bool worker, IReadOnlyDictionary<string, string> environment, params string[] args)
        => new(worker ? "robustcrop-worker.dll" : "robustcrop.dll", args, environment);

    public string Output { get { lock (_gate) return _output.ToString(); } }

    public bool HasExited => _process.HasExited;

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try { await _process.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { throw new TimeoutException($"process did not exit within {timeout}:\n{Output}"); }
        _process.WaitForExit(); // drains the redirected streams
        return _process.ExitCode;
    }

    public async Task WaitForOutputAsync(Func<string, bool> condition, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (!condition(Output))
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"expected output did not appear within {timeout}:\n{Output}");
            if (_process.HasExited) throw new InvalidOperationException($"process exited ({_process.ExitCode}) first:\n{Output}");
            await _lines.WaitAsync(50);
        }
    }

    public void Kill()
    {
        try { if (!_process.HasExited) _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        _process.WaitForExit(10_000);
    }

    private bool _disposed;

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Kill();
        _process.Dispose();
    }

    /// <summary>Waits until something accepts TCP connections on 127.0.0.1:<paramref name="port"/>.</summary>
    public static async Task WaitForListenerAsync(int port, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < until)
            {
                await Task.Delay(100);
            }
        }
    }

    public static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    /// <summary>
    /// A zoo of one small convolutional model: big enough that a shard takes a noticeable fraction of a second (so a
    /// process can be killed in the middle of one), small enough that a whole run takes seconds on two cores.
    /// </summary>
    public static string WriteTinyZoo(string dir, int kernel = 15, int channels = 64)
    {
        const int size = 48;
        var random = new Random(7);
        var weights = new float[channels * 3 * kernel * kernel];
        for (int i = 0; i < weights.Length; i++) weights[i] = (float)(random.NextDouble() * 2 - 1) / (kernel * kernel);
        byte[] model = new OnnxGraphBuilder("tiny_conv")
            .AddInput("image", "batch", 3, size, size)
            .AddOutput("logits", "batch", channels)
            .AddInitializer("w", [channels, 3, kernel, kernel], weights)
            .AddNode("Conv", ["image", "w"], ["features"], OnnxAttribute.Ints("kernel_shape", kernel, kernel))
            .AddNode("ReduceMean", ["features"], ["logits"], OnnxAttribute.Ints("axes", 2, 3), OnnxAttribute.Int("keepdims", 0))
            .ToBytes();
        File.WriteAllBytes(Path.Combine(dir, "tiny.onnx"), model);
        string zoo = Path.Combine(dir, "zoo.yaml");
        File.WriteAllText(zoo, $$"""
            models:
              - id: tiny
                onnx: tiny.onnx
                input: { size: {{size}} }
                resize: { size: 56 }
            """);
        return zoo;
    }
}
