using RobustCrop.Core.Models;

namespace RobustCrop.Worker.Inference;

/// <summary>
/// What makes two workers' loads of a model the same session: the zoo entry (its id, file and the file's version on
/// disk), the device and the intra-op threads. One job's workers read one zoo, so the id and file identify the entry.
/// </summary>
public readonly record struct SharedModelKey(string Id, string OnnxPath, DateTime OnnxWrittenUtc, DeviceSpec Device, int Threads)
{
    public SharedModelKey(ModelManifest m, DeviceSpec device, int threads)
        : this(m.Id, Path.GetFullPath(m.OnnxPath), File.Exists(m.OnnxPath) ? File.GetLastWriteTimeUtc(m.OnnxPath) : default, device, threads)
    {
    }
}
