namespace RobustCrop.Coordinator.Scheduling;

/// <summary>Timings and limits of the job singleton; every default is declared here and nowhere else.</summary>
public sealed record CoordinatorSettings
{
    /// <summary>A lease not renewed for this long is re-queued (workers renew every few seconds).</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A shard that failed this many times fails the job with its last reason, unless one worker alone failed it while
    /// others could try: then that worker is refused and the shard goes on (see <see cref="WorkersAreLocal"/>).
    /// </summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>
    /// Every worker is one of this process's own (the embedded run): a worker's failure would be the same on any of them,
    /// so a worker that cannot run the job, or a shard past its attempts, ends the job. In a cluster (false) a member's
    /// failure refuses that member alone and the job goes on with the others.
    /// </summary>
    public bool WorkersAreLocal { get; init; }

    public TimeSpan NoWorkRetry { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan StatusInterval { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan TickInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Leases one request may get, whatever capacity it asks for (a worker's capacity is at most its cores).</summary>
    public int MaxCapacityPerWorker { get; init; } = 64;

    /// <summary>Live leases one worker may hold at once: a member that asks again and again gets no more.</summary>
    public int MaxLeasesPerWorker { get; init; } = 64;

    /// <summary>Workers the singleton keeps (refused ones included, until their node leaves); more are refused.</summary>
    public int MaxWorkers { get; init; } = 256;

    /// <summary>The longest worker id accepted (the ids the workers make are host-pid-random, well under it).</summary>
    public int MaxWorkerIdLength { get; init; } = 128;

    /// <summary>The clock of leases and status lines (a fake one in tests).</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;
}
