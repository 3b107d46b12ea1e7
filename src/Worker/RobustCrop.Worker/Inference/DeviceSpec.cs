using System.Globalization;

namespace RobustCrop.Worker.Inference;

public enum DeviceKind
{
    Cpu,
    Cuda,
}

/// <summary>Where a model runs: "cpu", "cuda" (device 0) or "cuda:N".</summary>
public readonly record struct DeviceSpec(DeviceKind Kind, int DeviceId)
{
    public static DeviceSpec Cpu => new(DeviceKind.Cpu, 0);

    public static DeviceSpec Cuda(int deviceId = 0) => new(DeviceKind.Cuda, deviceId);

    public static DeviceSpec Parse(string text)
    {
        if (TryParse(text, out DeviceSpec spec))
        {
            return spec;
        }
        throw new ArgumentException($"invalid device '{text}': expected cpu, cuda or cuda:N", nameof(text));
    }

    public static bool TryParse(string? text, out DeviceSpec spec)
    {
        spec = Cpu;
        string t = (text ?? "").Trim().ToLowerInvariant();
        if (t == "cpu")
        {
            return true;
        }
        if (t == "cuda")
        {
            spec = Cuda(0);
            return true;
        }
        if (t.StartsWith("cuda:", StringComparison.Ordinal)
            && t.Length > 5
            && t.AsSpan(5).IndexOfAnyExceptInRange('0', '9') < 0
            && int.TryParse(t.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out int id))
        {
            spec = Cuda(id);
            return true;
        }
        return false;
    }

    public override string ToString() => Kind == DeviceKind.Cpu ? "cpu" : "cuda:" + DeviceId.ToString(CultureInfo.InvariantCulture);
}
