namespace RobustCrop.Cluster.Protocol;

/// <summary>Marker for every message that crosses nodes: bound to <see cref="ClusterMessageSerializer"/>, so nothing falls back to a reflection-based default.</summary>
public interface IClusterMessage;
