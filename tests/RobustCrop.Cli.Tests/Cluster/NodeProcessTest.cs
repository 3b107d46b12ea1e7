namespace RobustCrop.Cli.Tests.Cluster;

/// <summary>
/// Base of the tests that start coordinator and worker processes: each started process is tracked and killed when the
/// test ends (pass or fail), so no node outlives its test and holds a port or the CPU the next test needs.
/// </summary>
public abstract class NodeProcessTest : IDisposable
{
    private readonly List<NodeProcess> _processes = [];

    protected TempDir Tmp { get; } = new();

    protected static string FashionMnist => Path.Combine(AppContext.BaseDirectory, "samples", "fashion-mnist");

    internal NodeProcess Track(NodeProcess p)
    {
        _processes.Add(p);
        return p;
    }

    public void Dispose()
    {
        foreach (var p in _processes) p.Dispose();
        DisposeMore();
        Tmp.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>What a test class holds besides its processes and temp folder (a certificate authority, say).</summary>
    protected virtual void DisposeMore() { }
}
