namespace RobustCrop.Cluster.Protocol;

/// <summary>A worker node's identity for one run: host, process id and a random part, so a restarted process is a new worker.</summary>
public readonly record struct WorkerId(string Value)
{
    public static WorkerId New(string host) => new($"{host}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}");

    public override string ToString() => Value;
}

/// <summary>One grant of one shard to one worker; a re-queued shard gets a new lease, so a late message about the old one is recognisable.</summary>
public readonly record struct LeaseId(long Value)
{
    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
