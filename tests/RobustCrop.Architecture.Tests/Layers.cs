using System.Reflection;

namespace RobustCrop.Architecture.Tests;

/// <summary>The shipped assemblies, lowest layer first, and what each may not know about.</summary>
public static class Layers
{
    public static readonly Assembly Core = typeof(Core.Geometry.SceneGeometry).Assembly;
    public static readonly Assembly IO = typeof(IO.Storage.IResultStore).Assembly;
    public static readonly Assembly Cluster = typeof(Cluster.Protocol.IClusterMessage).Assembly;
    public static readonly Assembly Worker = typeof(Worker.Pipeline.ShardEvaluator).Assembly;
    public static readonly Assembly WorkerHost = typeof(Worker.Host.Program).Assembly;
    public static readonly Assembly Coordinator = typeof(Coordinator.Jobs.EvaluateJob).Assembly;
    public static readonly Assembly Cli = typeof(Cli.Program).Assembly;

    public static readonly Assembly[] All = [Core, IO, Cluster, Worker, WorkerHost, Coordinator, Cli];

    public static readonly Assembly[] Libraries = [Core, IO, Cluster, Worker, Coordinator];
}
