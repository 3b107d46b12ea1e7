using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace RobustCrop.TestSupport;

/// <summary>
/// The Azure Storage emulator Azurite (blob service only), installed by the tests themselves into &lt;repo&gt;/.tools/azurite
/// (npm, pinned version, once, guarded by a lock file) and started on a free port of 127.0.0.1 with a fresh data folder.
/// <see cref="Stop"/> and <see cref="StartAsync"/> take it down and bring it back on the same port and data folder, to test
/// outages. Shared by the Worker and Coordinator test projects (the Coordinator one links this file).
/// </summary>
public sealed partial class AzuriteFixture : IAsyncLifetime
{
    public const string Version = "3.35.0";
    public const string AccountName = "devstoreaccount1";

    /// <summary>The emulator's well-known, public development key (documented by Microsoft; not a secret).</summary>
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(8);

    private readonly StringBuilder _log = new();
    private Process? _process;

    public int Port { get; private set; }

    /// <summary>The emulator's data folder (kept across <see cref="Stop"/> / <see cref="StartAsync"/>).</summary>
    public string Location { get; } = Path.Combine(Path.GetTempPath(), "robustcrop-azurite-" + Guid.NewGuid().ToString("N")[..12]);

    public string BlobEndpoint => $"http://127.0.0.1:{Port}/{AccountName}";

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};BlobEndpoint={BlobEndpoint};";

    public bool IsRunning => _process is { HasExited: false };

    public async Task InitializeAsync()
    {
        string exe = await EnsureInstalledAsync();
        Directory.CreateDirectory(Location);
        Port = FreePort();
        _executable = exe;
        await StartAsync();
    }

    private string? _executable;

    /// <summary>Starts the emulator (again) on <see cref="Port"/> and <see cref="Location"/>; returns once the port answers.</summary>
    public async Task StartAsync()
    {
        if (IsRunning) return;
        var psi = new ProcessStartInfo(_executable ?? throw new InvalidOperationException("not initialised"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[]
                 {
                     "--blobHost", "127.0.0.1", "--blobPort", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--location", Location, "--skipApiVersionCheck", "--loose", "--silent", "--disableTelemetry",
                 })
            psi.ArgumentList.Add(a);
        var p = new Process { StartInfo = psi };
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine(e.Data); };
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        _process = p;
        var deadline = DateTime.UtcNow + StartTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (p.HasExited) throw new InvalidOperationException($"azurite-blob exited with {p.ExitCode}: {Log}");
            if (await AnswersAsync(Port)) return;
            await Task.Delay(100);
        }
        Stop();
        throw new TimeoutException($"azurite-blob did not answer on 127.0.0.1:{Port} within {StartTimeout.TotalSeconds} s: {Log}");
    }

    /// <summary>Stops the emulator: SIGINT first (it saves its metadata and closes), the whole process tree killed after
    /// 1.5 s (it waits for idle keep-alive connections to close, which can take longer). Either way, like a real outage,
    /// requests in flight fail.</summary>
    public void Stop()
    {
        var p = _process;
        if (p is null) return;
        _process = null;
        try
        {
            if (!p.HasExited)
            {
                if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()) _ = SendSignal(p.Id, 2);
                if (!p.WaitForExit(1500)) p.Kill(entireProcessTree: true);
                p.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        finally
        {
            p.Dispose();
        }
    }

    public Task DisposeAsync()
    {
        Stop();
        try { Directory.Delete(Location, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return Task.CompletedTask;
    }

    public string Log { get { lock (_log) return _log.ToString(); } }

    /// <summary>&lt;repo&gt;/.tools/azurite/node_modules/.bin/azurite-blob, installed with npm when missing. Concurrent test
    /// processes (the Worker and Coordinator test assemblies run at once) take turns through a lock file.</summary>
    public static async Task<string> EnsureInstalledAsync()
    {
        string tools = Path.Combine(RepoRoot(), ".tools");
        string prefix = Path.Combine(tools, "azurite");
        string exe = Path.Combine(prefix, "node_modules", ".bin", "azurite-blob");
        if (File.Exists(exe)) return exe;
        Directory.CreateDirectory(tools);
        var deadline = DateTime.UtcNow + InstallTimeout;
        FileStream? lockFile = null;
        while (lockFile is null)
        {
            try
            {
                lockFile = new FileStream(Path.Combine(tools, "azurite.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(500);
            }
        }
        using (lockFile)
        {
            if (File.Exists(exe)) return exe; // another process installed it while this one waited
            var psi = new ProcessStartInfo("npm") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { "install", "--no-audit", "--no-fund", "--prefix", prefix, $"azurite@{Version}" })
                psi.ArgumentList.Add(a);
            using var npm = Process.Start(psi) ?? throw new InvalidOperationException("npm could not be started (Node.js 20 is needed for the Azurite tests)");
            var stdout = npm.StandardOutput.ReadToEndAsync();
            var stderr = npm.StandardError.ReadToEndAsync();
            using var cts = new CancellationTokenSource(InstallTimeout);
            try
            {
                await npm.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                npm.Kill(entireProcessTree: true);
                throw new TimeoutException($"npm install azurite@{Version} took longer than {InstallTimeout.TotalMinutes} min");
            }
            if (npm.ExitCode != 0 || !File.Exists(exe))
                throw new InvalidOperationException($"npm install azurite@{Version} failed ({npm.ExitCode}): {await stderr}{await stdout}");
            return exe;
        }
    }

    public static string RepoRoot() => RepoPaths.Root;

    /// <summary>A port of 127.0.0.1 that is free now (the OS picks it).</summary>
    public static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    private static async Task<bool> AnswersAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            await client.ConnectAsync(IPAddress.Loopback, port, cts.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int SendSignal(int pid, int signal);
}
