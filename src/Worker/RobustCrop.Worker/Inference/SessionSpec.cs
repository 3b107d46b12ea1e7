using RobustCrop.Core.Imaging;
using RobustCrop.Core.Models;

namespace RobustCrop.Worker.Inference;

/// <summary>
/// How <see cref="OnnxSessionFactory"/> turns a model into a session: where it runs and which rewrites its graph gets.
/// The defaults are declared here once.
/// </summary>
public sealed record SessionSpec
{
    public DeviceSpec Device { get; init; } = DeviceSpec.Cpu;

    /// <summary>ONNX Runtime's intra-op threads; 0: its own default (one per core).</summary>
    public int Threads { get; init; }

    /// <summary>The input side the graph must have; null: whatever it declares (a symbolic one is then an error).</summary>
    public int? ExpectedInputSize { get; init; }

    /// <summary>The largest batch one run takes (buffers are sized for it); larger calls run in chunks.</summary>
    public int MaxBatch { get; init; } = OnnxSession.DefaultMaxBatch;

    /// <summary>When set, a Gaussian of this sigma blurs the input inside the model.</summary>
    public float? LowPassSigma { get; init; }

    /// <summary>The low-pass kernel's radius; null: ceil(3 sigma).</summary>
    public int? LowPassRadius { get; init; }

    public ModelIo Io { get; init; } = ModelIo.Default;

    /// <summary>Names the model in errors; null: its path.</summary>
    public string? Name { get; init; }

    /// <summary>The preprocessing built into the graph in front of everything else (the low-pass included), so the session
    /// takes uint8 [N,S,S,3] crops; default: the bytes' values as they are (scale 1, mean 0, std 1).</summary>
    public PixelNormalization Normalization { get; init; } = Unscaled;

    /// <summary>Pixel bytes fed as their values 0..255: what a spec without the manifest's normalisation gets.</summary>
    public static PixelNormalization Unscaled { get; } = new(ChannelOrder.Rgb, 1f, [0f, 0f, 0f], [1f, 1f, 1f]);

    /// <summary>What the manifest says of its model (input size, low-pass, layout and type, output, name).</summary>
    public static SessionSpec Of(ModelManifest m, DeviceSpec device, int threads)
    {
        ArgumentNullException.ThrowIfNull(m);
        return new()
        {
            Device = device,
            Threads = threads,
            ExpectedInputSize = m.InputSize,
            LowPassSigma = m.LowPassSigma,
            LowPassRadius = m.LowPassSigma is null ? null : m.LowPassRadius,
            Io = ModelIo.Of(m),
            Name = m.Id,
        };
    }
}
