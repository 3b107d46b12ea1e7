using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace RobustCrop.Cluster.Hosting;

/// <summary>
/// A host lifetime that leaves process signals alone. The default console lifetime takes SIGTERM and SIGINT and stops
/// the host on its own: the actor system then dies under a running job, a worker rejoins as a new node, and a worker
/// still starting ignores the signal. The process's entry point owns the signals instead (one cancellation token), and
/// each node decides what a stop means: a worker hands its leases back and leaves, a coordinator cancels its job.
/// </summary>
public sealed class SignalFreeLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

public static class SignalFreeLifetimeExtensions
{
    /// <summary>Replaces the console lifetime: see <see cref="SignalFreeLifetime"/>.</summary>
    public static IServiceCollection AddSignalFreeLifetime(this IServiceCollection services)
        => services.AddSingleton<IHostLifetime, SignalFreeLifetime>();
}
