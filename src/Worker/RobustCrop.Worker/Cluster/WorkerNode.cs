using System.Net.Sockets;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RobustCrop.Cluster.Hosting;
using RobustCrop.Cluster.Observability;
using RobustCrop.Worker.Observability;
using RobustCrop.Cluster.Hosting.Tls;
using RobustCrop.Cluster.Protocol;

namespace RobustCrop.Worker.Cluster;

/// <summary>What a worker process was asked to be: where it joins and listens, and what it runs on.</summary>
/// <param name="ModelsDir">Models shipped next to the executable ("builtin:" in zoo files).</param>
/// <param name="JoinTimeout">How long to look for a coordinator (its port answering and the join accepted) before giving up.</param>
/// <param name="Grace">On a stop signal: how long running shards may finish before their leases are handed back (zero: at once).</param>
public sealed record WorkerNodeSettings(string Join, string Listen, string? PublicHost, string Device, int Capacity, int Threads,
    string LogLevel, string ModelsDir)
{
    /// <summary>Threads decoding inputs ahead of inference, per device's worker.</summary>
    public int DecodeThreads { get; init; } = Pipeline.PipelineOptions.DefaultDecodeThreads;

    public TimeSpan JoinTimeout { get; init; } = TimeSpan.FromMinutes(3);

    public TimeSpan Grace { get; init; } = TimeSpan.Zero;

    /// <summary>Where /metrics is served; none when null.</summary>
    public int? MetricsPort { get; init; }

    /// <summary>The address /metrics binds to: 127.0.0.1 unless named (--metrics-host), with or without a public host.</summary>
    public string? MetricsHost { get; init; }

    /// <summary>Mutual TLS with the coordinator; null = plain TCP.</summary>
    public ClusterTlsSettings? Tls { get; init; }
}

/// <summary>
/// A worker node's life: joins a coordinator, takes the job spec from it, pulls shards until the job ends, then leaves
/// the cluster. If its cluster goes away under it (the coordinator died, or this node was downed), it starts a fresh
/// node and joins again, so a restarted coordinator finds its workers back. A stop signal ends it for good: leases
/// handed back (or finished within the grace), the cluster left, never rejoined.
/// </summary>
public static class WorkerNode
{
    /// <summary>0 when the job succeeded, 1 when it failed or this worker was refused, 130 when stopped, 3 when no coordinator was found.</summary>
    public static async Task<int> RunAsync(WorkerNodeSettings settings, TextWriter log, CancellationToken stop)
    {
        // One set of figures for the process, across rejoins: a counter must never go back.
        var metrics = settings.MetricsPort is null ? null : new WorkerMetrics();
        await using var server = metrics is null ? null
            : new MetricsServer(PlainMode.MetricsBind(settings.MetricsHost ?? "127.0.0.1"), settings.MetricsPort!.Value, metrics.Registry);
        if (settings.Tls is null)
            log.WriteLine(PlainMode.Notice("worker", settings.Listen, insecure: settings.PublicHost is not null));
        // One refusal log for the process: a node restarted within the join window must not repeat its refusal lines.
        var join = new JoinAttempts(settings, log);
        while (true)
        {
            var end = await RunNodeAsync(settings, join, metrics, stop);
            switch (end)
            {
                case NodeEnd.Finished f: return f.Outcome?.Succeeded == false ? 1 : 0;
                case NodeEnd.Stopped: return 130;
                case NodeEnd.NoCoordinator n:
                    log.WriteLine($"robustcrop-worker: {n.Reason}");
                    return 3;
            }
            if (stop.IsCancellationRequested) return 130;
            if (end is NodeEnd.Lost { WasMember: true })
            {
                log.WriteLine("worker: left the cluster without the job ending (coordinator gone or this node downed); joining again");
                join.Restart();
            }
            else if (join.Remaining <= TimeSpan.Zero)
            {
                // Never got in (its handshake refused, by either end): the same window as any join, not a restart loop.
                log.WriteLine($"robustcrop-worker: {join.Failed($"could not join the coordinator at {settings.Join}")}");
                return 3;
            }
            try { await Task.Delay(TimeSpan.FromSeconds(1), stop); } catch (OperationCanceledException) { return 130; }
        }
    }

    /// <summary>
    /// The join window (--join-timeout), which spans the node restarts of one join until this worker has been a member,
    /// and the last TLS refusal seen in it, which the line a failed join ends with names.
    /// </summary>
    private sealed class JoinAttempts
    {
        private readonly WorkerNodeSettings _settings;
        private readonly TextWriter _log;
        private long _started = System.Diagnostics.Stopwatch.GetTimestamp();
        private string? _tlsLine;

        public JoinAttempts(WorkerNodeSettings settings, TextWriter log)
        {
            _settings = settings;
            _log = log;
            Refusals = new TlsRefusalLog(Log);
        }

        public TlsRefusalLog Refusals { get; }

        public bool Announced { get; set; }

        public TimeSpan Remaining => _settings.JoinTimeout - System.Diagnostics.Stopwatch.GetElapsedTime(_started);

        public void Restart()
        {
            _started = System.Diagnostics.Stopwatch.GetTimestamp();
            Volatile.Write(ref _tlsLine, null);
            Announced = false;
        }

        /// <summary>Akka's log lines for this node: passed on, the first TLS one of the window remembered (this node's own
        /// check comes first and says most; Akka's handshake failure follows it).</summary>
        public void Log(string line)
        {
            if (line.StartsWith("tls: ", StringComparison.Ordinal)) Interlocked.CompareExchange(ref _tlsLine, line, null);
            _log.WriteLine(line);
        }

        public string Failed(string lead) =>
            $"{lead} within {_settings.JoinTimeout.TotalSeconds:F0} s (--join-timeout)"
            + (Volatile.Read(ref _tlsLine) is { } tls ? $" ({tls})" : "") + "; exiting";
    }

    private abstract record NodeEnd
    {
        /// <param name="Outcome">The coordinator's word on the job; null when it left after its job without this worker
        /// hearing how it ended.</param>
        public sealed record Finished(WorkProtocol.JobFinished? Outcome) : NodeEnd;
        /// <param name="WasMember">False when the node ended before this worker ever got into the cluster.</param>
        public sealed record Lost(bool WasMember) : NodeEnd;
        public sealed record Stopped : NodeEnd;
        public sealed record NoCoordinator(string Reason) : NodeEnd;
    }

    private static async Task<NodeEnd> RunNodeAsync(WorkerNodeSettings s, JoinAttempts join, WorkerMetrics? metrics, CancellationToken stop)
    {
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        var (joinHost, joinPort) = ClusterNodeSettings.ParseHostPort("--join", s.Join);
        using var joinWindow = CancellationTokenSource.CreateLinkedTokenSource(stop);
        joinWindow.CancelAfter(join.Remaining > TimeSpan.Zero ? join.Remaining : TimeSpan.Zero);
        // After the job's end the coordinator leaves: remoting's warnings about its closed port are expected, dropped.
        var ending = new EndingNodeLog(join.Log);
        Action<string> nodeLog = ending.Write;
        // Dial the coordinator's port before starting remoting: an association attempt to a port not yet bound is gated
        // for seconds (retry-gate-closed-for) and every InitJoin in that window is dropped, which is what made workers
        // started with their coordinator join ~10 s late.
        if (!await SeedAnswersAsync(joinHost, joinPort, joinWindow.Token))
            return stop.IsCancellationRequested ? new NodeEnd.Stopped()
                : new NodeEnd.NoCoordinator(join.Announced ? join.Failed($"could not join the coordinator at {s.Join}")
                    : $"no coordinator answered at {s.Join} within {s.JoinTimeout.TotalSeconds:F0} s (--join-timeout); exiting");

        var answered = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        var finished = new TaskCompletionSource<WorkProtocol.JobFinished>(TaskCreationOptions.RunContinuationsAsynchronously);
        // Set (from the worker actor) when the coordinator said it stops before the job's end: its departure then means "rejoin".
        bool coordinatorStopping = false;
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (listenHost, listenPort) = ClusterNodeSettings.ParseHostPort("--listen", s.Listen);
        var node = new ClusterNodeSettings(listenHost, listenPort, s.PublicHost, [ClusterRoles.Worker], [s.Join], s.LogLevel) { Tls = s.Tls };
        var id = WorkerId.New(s.PublicHost ?? Environment.MachineName);
        // One worker (inference loop) per device: "cuda:0,cuda:1" runs two, each pulling its own shards.
        var devices = Inference.DeviceSpec.ParseList(s.Device);
        int stoppedWorkers = 0;
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSignalFreeLifetime();
        builder.Services.AddAkka(ClusterNodeSettings.SystemName, akka => akka
            .AddRobustCropNode(node, nodeLog, join.Refusals)
            .AddJobSingletonProxy()
            .AddWorkers(devices.Length, i => new WorkerSettings(devices.Length == 1 ? id : WorkerId.New($"{s.PublicHost ?? Environment.MachineName}-{DeviceName(devices[i])}"),
                    s.Capacity, devices[i].ToString(), s.Threads, s.ModelsDir, nodeLog)
                { Metrics = metrics, Pipeline = new Pipeline.PipelineOptions { DecodeThreads = s.DecodeThreads } },
                f => finished.TrySetResult(f), () => { if (Interlocked.Increment(ref stoppedWorkers) == devices.Length) stopped.TrySetResult(); },
                () => coordinatorStopping = true));
        using var host = builder.Build();
        await host.StartAsync(CancellationToken.None);
        var system = host.Services.GetRequiredService<ActorSystem>();
        var cluster = Akka.Cluster.Cluster.Get(system);
        var joined = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        cluster.RegisterOnMemberUp(() => joined.TrySetResult());
        var departed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        system.ActorOf(CoordinatorDepartureWatcher.Props(() => departed.TrySetResult(), () => lost.TrySetResult()), "coordinator-departure");
        if (!join.Announced)
            nodeLog($"worker {id}: joining {s.Join} (device {s.Device}, capacity {s.Capacity}, threads {s.Threads}, decode threads {s.DecodeThreads})");
        join.Announced = true;
        try
        {
            // Not Up alone: a welcomed node already works (the proxy finds the singleton before the leader moves it Up),
            // so with a fast job the job can end, or the coordinator die and this node be downed, before it is ever Up.
            var first = await Task.WhenAny(joined.Task, finished.Task, departed.Task, lost.Task, system.WhenTerminated).WaitAsync(joinWindow.Token);
            var joinedAt = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            // Both figures: the first is what this node controls (the join itself), the second includes waiting for the coordinator to start.
            if (first == joined.Task)
                nodeLog(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"worker {id}: joined {s.Join} {(joinedAt - answered).TotalSeconds:F1} s after its port answered, after {joinedAt.TotalSeconds:F1} s"));
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested && IsMember(cluster))
        {
            // Welcomed but not yet Up: the singleton proxy finds the coordinator before the leader moves this node Up, so
            // the worker may already hold a lease. Hand it back and leave, exactly as a member that is Up does.
            await HandBackAsync(system, s, id, stopped.Task, finished.Task, nodeLog);
            await ShutdownAsync(system, host, leave: true);
            return new NodeEnd.Stopped();
        }
        catch (OperationCanceledException)
        {
            // Not a member yet: nothing to hand back, nothing to leave gracefully.
            await ShutdownAsync(system, host, leave: false);
            return stop.IsCancellationRequested ? new NodeEnd.Stopped()
                : new NodeEnd.NoCoordinator(join.Failed($"the coordinator at {s.Join} answered but did not accept this worker"));
        }

        var signalled = Task.Delay(Timeout.Infinite, stop).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        var ended = await Task.WhenAny(finished.Task, departed.Task, system.WhenTerminated, lost.Task, signalled);
        NodeEnd result;
        if (ended == signalled && !finished.Task.IsCompleted)
        {
            await HandBackAsync(system, s, id, stopped.Task, finished.Task, nodeLog);
            result = new NodeEnd.Stopped();
        }
        else if (ended == finished.Task) result = new NodeEnd.Finished(finished.Task.Result);
        // The coordinator leaves only after its job ended: this worker missed the news, not the job.
        else if (ended == departed.Task && !Volatile.Read(ref coordinatorStopping)) result = new NodeEnd.Finished(null);
        else result = new NodeEnd.Lost(WasMember: IsMember(cluster) || joined.Task.IsCompleted);
        if (result is NodeEnd.Finished or NodeEnd.Stopped) ending.JobEnded();
        if (result is NodeEnd.Finished { Outcome: var o })
            nodeLog(o is null ? $"worker {id}: the coordinator left after its job; leaving"
                : $"worker {id}: job {o.RunId?.Value ?? "(none received)"} {(o.Succeeded ? "complete" : "failed: " + o.Reason)}; leaving");
        await ShutdownAsync(system, host, leave: true);
        return result;
    }

    /// <summary>Tells the worker actor to stop (handing its leases back, after the grace if any) and waits until it has.</summary>
    private static string DeviceName(Inference.DeviceSpec d) => d.ToString().Replace(':', '-');

    private static async Task HandBackAsync(ActorSystem system, WorkerNodeSettings s, WorkerId id, Task stopped, Task finished, Action<string> log)
    {
        log($"worker {id}: stop signal; {(s.Grace > TimeSpan.Zero ? $"running shards may finish within {s.Grace.TotalSeconds:F0} s" : "handing its leases back")}, then leaving");
        foreach (int i in Enumerable.Range(0, Inference.DeviceSpec.ParseList(s.Device).Length))
            system.ActorSelection($"/user/worker-{i}").Tell(new WorkerActor.StopWorking(s.Grace));
        await Task.WhenAny(stopped, finished, system.WhenTerminated, Task.Delay(s.Grace + TimeSpan.FromSeconds(10), CancellationToken.None));
        // The hand-backs are told through the singleton proxy; leaving at once could let the leave gossip (and the
        // re-queue it causes, "worker-removed") overtake them on a loaded machine. A moment lets them land first.
        await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None);
    }

    /// <summary>True once the coordinator has welcomed this node (Joining or later), before the leader has moved it Up.</summary>
    private static bool IsMember(Akka.Cluster.Cluster cluster) => cluster.State.Members.Any(m => m.Address.Equals(cluster.SelfAddress));

    private static async Task ShutdownAsync(ActorSystem system, IHost host, bool leave)
    {
        // Leaving (not just stopping) hands the cluster a clean departure instead of a failure to detect.
        if (leave) await CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClusterLeavingReason.Instance);
        else await system.Terminate();
        await system.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(15), CancellationToken.None).ContinueWith(_ => { }, CancellationToken.None);
        try { await host.StopAsync(CancellationToken.None); } catch (Exception e) when (e is OperationCanceledException or InvalidOperationException) { }
    }

    /// <summary>Waits until a TCP connection to the seed succeeds (false when the token ends first).</summary>
    private static async Task<bool> SeedAnswersAsync(string host, int port, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                using var client = new TcpClient();
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
                attempt.CancelAfter(TimeSpan.FromSeconds(2));
                await client.ConnectAsync(host, port, attempt.Token);
                return true;
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException) { }
            try { await Task.Delay(TimeSpan.FromMilliseconds(200), ct); } catch (OperationCanceledException) { }
        }
        return false;
    }
}
