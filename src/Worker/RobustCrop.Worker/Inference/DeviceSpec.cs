using System.Collections.Immutable;
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

    /// <summary>
    /// A node's devices: "cpu", or one or more CUDA devices ("cuda:0,cuda:1"), each of which gets an inference loop (a
    /// worker) of its own. Null with the one-line reason when the text is not such a list.
    /// </summary>
    public static ImmutableArray<DeviceSpec>? TryParseList(string? text, out string? error)
    {
        error = null;
        var parts = (text ?? "").Split(',', StringSplitOptions.TrimEntries);
        var list = ImmutableArray.CreateBuilder<DeviceSpec>(parts.Length);
        foreach (var part in parts)
        {
            if (!TryParse(part, out var d) || part.Length == 0)
            {
                // One device keeps the message every command printed before lists existed.
                error = parts.Length == 1 ? $"invalid device '{part}': expected cpu, cuda or cuda:N"
                    : $"invalid device '{part}' in '{text}': expected cpu, cuda, cuda:N or a list such as cuda:0,cuda:1";
                return null;
            }
            if (list.Contains(d))
            {
                error = $"device {d} is listed twice in '{text}'";
                return null;
            }
            list.Add(d);
        }
        if (list.Count > 1 && list.Contains(Cpu))
        {
            error = $"'{text}': cpu cannot be combined with other devices (a CPU worker takes every core)";
            return null;
        }
        return list.ToImmutable();
    }

    /// <summary>As <see cref="TryParseList"/>; throws <see cref="ArgumentException"/> with the reason.</summary>
    public static ImmutableArray<DeviceSpec> ParseList(string text)
        => TryParseList(text, out string? error) ?? throw new ArgumentException(error, nameof(text));

    public override string ToString() => Kind == DeviceKind.Cpu ? "cpu" : "cuda:" + DeviceId.ToString(CultureInfo.InvariantCulture);
}
