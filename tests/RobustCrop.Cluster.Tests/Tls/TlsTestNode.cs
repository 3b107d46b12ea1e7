using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RobustCrop.Cluster.Hosting;
using RobustCrop.Cluster.Hosting.Tls;
using RobustCrop.Cluster.Protocol;
using AkkaCluster = Akka.Cluster.Cluster;

namespace RobustCrop.Cluster.Tests.Tls;

/// <summary>A real cluster node on loopback, configured the one way products configure theirs, with its log captured.</summary>
public sealed class TlsTestNode : IAsyncDisposable
{
    private readonly IHost _host;

    private TlsTestNode(IHost host, ConcurrentQueue<string> log)
    {
        _host = host;
        Log = log;
        System = host.Services.GetRequiredService<ActorSystem>();
    }

    public ActorSystem System { get; }

    public ConcurrentQueue<string> Log { get; }

    public int Port => AkkaCluster.Get(System).SelfAddress.Port ?? 0;

    public int UpMembers => AkkaCluster.Get(System).State.Members.Count(m => m.Status == Akka.Cluster.MemberStatus.Up);

    /// <summary>The coordinator: joins itself on a free port.</summary>
    public static Task<TlsTestNode> Seed(ClusterTlsSettings? tls) => Start(new ClusterNodeSettings("127.0.0.1", 0, null, [ClusterRoles.Coordinator], [], "WARNING") { Tls = tls });

    /// <summary>A worker joining <paramref name="seed"/>.</summary>
    public static Task<TlsTestNode> Joining(TlsTestNode seed, ClusterTlsSettings? tls) =>
        Start(new ClusterNodeSettings("127.0.0.1", 0, null, [ClusterRoles.Worker], [$"127.0.0.1:{seed.Port}"], "WARNING") { Tls = tls });

    public static async Task<TlsTestNode> Start(ClusterNodeSettings settings)
    {
        var log = new ConcurrentQueue<string>();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddAkka(ClusterNodeSettings.SystemName, akka => akka.AddRobustCropNode(settings, log.Enqueue));
        var host = builder.Build();
        await host.StartAsync();
        return new TlsTestNode(host, log);
    }

    /// <summary>Waits until <paramref name="condition"/> holds or <paramref name="timeout"/> passes; returns whether it held.</summary>
    public static async Task<bool> Eventually(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (condition()) return true;
            await Task.Delay(100);
        }
        return condition();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await System.Terminate().WaitAsync(TimeSpan.FromSeconds(10));
            await _host.StopAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException or InvalidOperationException)
        {
            // A node that shut itself down (a failed outbound handshake does that) has nothing left to stop.
        }
        _host.Dispose();
    }
}
