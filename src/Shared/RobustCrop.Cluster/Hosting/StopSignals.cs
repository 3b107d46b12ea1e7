using System.Runtime.InteropServices;

namespace RobustCrop.Cluster.Hosting;

/// <summary>
/// SIGTERM (Kubernetes' stop) and SIGINT (Ctrl+C) both cancel one token instead of killing the process, so the node can
/// stop the way its role requires (see <see cref="SignalFreeLifetime"/>). A second signal is left to the runtime's default.
/// </summary>
public sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly PosixSignalRegistration[] _registrations;

    public StopSignals()
        => _registrations = [PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal), PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal)];

    public CancellationToken Token => _stop.Token;

    private void OnSignal(PosixSignalContext context)
    {
        if (_stop.IsCancellationRequested) return; // the second one terminates
        context.Cancel = true;
        _stop.Cancel();
    }

    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
        _stop.Dispose();
    }
}
