using System.Diagnostics;

namespace RobustCrop.Cli.Commands;

/// <summary>
/// Starts robustcrop again as a child process, for the measurements a process cannot make of itself twice: its peak
/// working set (VmHWM) never goes down, so each size of a memory benchmark gets a fresh process.
/// </summary>
internal static class SelfProcess
{
    /// <summary>Runs robustcrop with <paramref name="args"/> and returns the last stdout line starting with <paramref name="prefix"/>, without it.</summary>
    public static async Task<string> RunForLineAsync(IEnumerable<string> args, string prefix, CancellationToken ct)
    {
        var psi = Start();
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var child = Process.Start(psi) ?? throw new IOException($"could not start {psi.FileName}");
        var stdout = child.StandardOutput.ReadToEndAsync(ct);
        var stderr = child.StandardError.ReadToEndAsync(ct);
        await child.WaitForExitAsync(ct);
        string output = await stdout, errors = await stderr;
        string? line = output.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        if (child.ExitCode != 0 || line is null)
            throw new IOException($"the measuring child exited {child.ExitCode}: {errors.Trim().Split('\n').LastOrDefault()}");
        return line[prefix.Length..];
    }

    /// <summary>Its own executable, or the dotnet host with robustcrop.dll when this runs inside another host (tests).</summary>
    private static ProcessStartInfo Start()
    {
        string? self = Environment.ProcessPath;
        var psi = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (self is not null && Path.GetFileNameWithoutExtension(self) == "robustcrop")
        {
            psi.FileName = self;
            return psi;
        }
        psi.FileName = self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet"
            ? self
            : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        psi.ArgumentList.Add(typeof(SelfProcess).Assembly.Location);
        return psi;
    }
}
