using RobustCrop.Core.Settings;

namespace RobustCrop.Cluster.Protocol;

/// <summary>
/// What a worker needs to evaluate any shard of the run, sent by the coordinator when the worker registers, so a worker
/// is started with nothing but the address to join: the run's <see cref="RunSettings"/>, exactly as the command line
/// bound them.
/// </summary>
public sealed record JobSpec(RunSettings Run) : IClusterMessage;
