namespace RobustCrop.Coordinator.Scheduling;

/// <summary>Timings and limits of the job singleton.</summary>
public sealed record CoordinatorSettings
{
    /// <summary>A lease not renewed for this long is re-queued (workers renew every few seconds).</summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A shard that failed this many times fails the job with its last reason.</summary>
    public int MaxAttempts { get; init; } = 3;

    public TimeSpan NoWorkRetry { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan StatusInterval { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan TickInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The clock of leases and status lines (a fake one in tests).</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;
}
