using RobustCrop.Core.Imaging;
using RobustCrop.Core.Models;

namespace RobustCrop.Worker.Inference;

/// <summary>The manifest's say on how the graph's input is fed and its output read (DESIGN §3).</summary>
public sealed record ModelIo(
    TensorLayout Layout = TensorLayout.Nchw,
    InputElementType Type = InputElementType.Float32,
    string? OutputName = null,
    EmbeddingPool Pool = EmbeddingPool.Cls)
{
    public static ModelIo Default { get; } = new();

    public static ModelIo Of(ModelManifest m) => new(m.InputLayout, m.InputType, m.OutputName, m.OutputPool);

    public int ChannelAxis => Layout == TensorLayout.Nchw ? 1 : 3;
}
