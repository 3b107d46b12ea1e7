using RobustCrop.Core.Imaging;
using RobustCrop.Core.Models;
using RobustCrop.IO.Onnx;

namespace RobustCrop.Worker.Inference;

/// <summary>
/// Checks a graph's declared input and outputs against the manifest (layout, element type, size, output name) from the
/// file alone, before a session exists: a wrong field fails in seconds with one line naming the model and the fix.
/// </summary>
public static class ModelSignature
{
    public const int OnnxFloat = 1, OnnxUInt8 = 2, OnnxFloat16 = 10;

    /// <summary>Returns the graph input fed and the output read; throws <see cref="ModelLoadException"/> otherwise.</summary>
    public static (OnnxTensorInfo Input, OnnxTensorInfo Output) Check(OnnxModelInfo info, int? expectedSize, ModelIo io, string name)
    {
        if (info.Inputs.Count != 1)
            throw new ModelLoadException($"model {name}: expected one image input, found {info.Inputs.Count} ({string.Join(", ", info.Inputs.Select(i => i.Name))})");
        var input = info.Inputs[0];
        CheckInputType(input, io, name);
        CheckInputShape(input, expectedSize, io, name);
        return (input, SelectOutput(info, io, name));
    }

    /// <summary>
    /// What a session needs of a graph that passed <see cref="Check"/>: its input fed as uint8 [N,S,S,3] once the
    /// normalisation is prepended (the name stays), its size (the manifest's where the graph's is symbolic), and its output.
    /// </summary>
    public static SessionSignature Feed(OnnxTensorInfo input, OnnxTensorInfo output, int? expectedSize, TensorLayout layout, string name)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        var d = input.Dims;
        var (h, w) = layout == TensorLayout.Nchw ? (d[2].Value, d[3].Value) : (d[1].Value, d[2].Value);
        int size = h is long fixedSide ? checked((int)fixedSide) : w is long fw ? checked((int)fw)
            : expectedSize ?? throw new ModelLoadException($"model {name}: input '{input.Name}' is {input.Shape}; its size is not fixed, so the manifest must give it");
        if (output.Dims.Count < 1) throw new ModelLoadException($"model {name}: output '{output.Name}' is a scalar, expected [N, ...]");
        int? fixedBatch = d[0].Value is long b and > 0 ? checked((int)b) : null;
        long[] trailing = [.. output.Dims.Skip(1).Select(x => x.Value ?? -1)];
        return new SessionSignature(input.Name, size, fixedBatch, output.Name, trailing, output.ElementType == OnnxFloat16);
    }

    /// <summary>
    /// The check of a graph that already takes uint8 [N,S,S,3] crops (a stand-in built in memory, such as the bench's):
    /// one image input of that type and shape, a float output. Throws <see cref="ModelLoadException"/> otherwise.
    /// </summary>
    public static SessionSignature CheckByteGraph(OnnxModelInfo info, int? expectedSize, string? outputName, string name)
    {
        ArgumentNullException.ThrowIfNull(info);
        if (info.Inputs.Count != 1)
            throw new ModelLoadException($"model {name}: expected one image input, found {info.Inputs.Count} ({string.Join(", ", info.Inputs.Select(i => i.Name))})");
        var input = info.Inputs[0];
        if (input.ElementType != OnnxUInt8) throw new ModelLoadException($"model {name}: input '{input.Name}' is not a uint8 tensor");
        if (input.Dims.Count != 4 || input.Dims[3].Value is not 3)
            throw new ModelLoadException($"model {name}: input '{input.Name}' is {input.Shape}, expected [N,S,S,3]");
        var io = new ModelIo(TensorLayout.Nhwc, OutputName: outputName);
        CheckInputShape(input, expectedSize, io, name);
        return Feed(input, SelectOutput(info, io, name), expectedSize, TensorLayout.Nhwc, name);
    }

    private static void CheckInputType(OnnxTensorInfo input, ModelIo io, string name)
    {
        switch (input.ElementType, io.Type)
        {
            case (OnnxFloat, InputElementType.Float32) or (OnnxFloat16, InputElementType.Float16) or (OnnxUInt8, InputElementType.UInt8):
                return;
            case (OnnxUInt8, _):
                throw new ModelLoadException($"model {name}: input '{input.Name}' is uint8; set input.type: uint8 and input.layout: nhwc in the zoo");
            case (_, InputElementType.UInt8):
                throw new ModelLoadException($"model {name}: input.type is uint8, but input '{input.Name}' is not (ONNX element type {input.ElementType}); remove input.type");
            case (OnnxFloat16, InputElementType.Float32):
                throw new ModelLoadException($"model {name}: input '{input.Name}' is float16; set input.type: float16 in the zoo");
            case (OnnxFloat, InputElementType.Float16):
                throw new ModelLoadException($"model {name}: input.type is float16, but input '{input.Name}' is float32; remove input.type");
            default:
                throw new ModelLoadException($"model {name}: input '{input.Name}' is not a float tensor (ONNX element type {input.ElementType})");
        }
    }

    private static void CheckInputShape(OnnxTensorInfo input, int? expectedSize, ModelIo io, string name)
    {
        var d = input.Dims;
        string expected = io.Layout == TensorLayout.Nchw ? "[N,3,S,S]" : "[N,S,S,3]";
        if (d.Count != 4) throw new ModelLoadException($"model {name}: input '{input.Name}' is {input.Shape}, expected {expected}");
        int channelAxis = io.ChannelAxis, otherAxis = 4 - channelAxis;
        if (d[channelAxis].Value is long c && c != 3)
        {
            // The commonest manifest mistake: the other layout's channel axis holds the 3.
            if (d[otherAxis].Value == 3)
            {
                string hint = io.Layout == TensorLayout.Nchw
                    ? "which is NHWC; set input.layout: nhwc in the zoo"
                    : "which is NCHW; remove input.layout: nhwc";
                throw new ModelLoadException($"model {name}: input '{input.Name}' is {input.Shape}, {hint}");
            }
            throw new ModelLoadException($"model {name}: input '{input.Name}' is {input.Shape}, expected {expected}");
        }
        var (h, w) = io.Layout == TensorLayout.Nchw ? (d[2].Value, d[3].Value) : (d[1].Value, d[2].Value);
        if (h is long fh && w is long fw && fh != fw)
            throw new ModelLoadException($"model {name}: input is 3x{fh}x{fw}, only square inputs are supported");
        foreach (long? side in (ReadOnlySpan<long?>)[h, w])
        {
            if (side is long s && expectedSize is int e && s != e)
                throw new ModelLoadException($"model {name}: input is 3x{h?.ToString() ?? "?"}x{w?.ToString() ?? "?"}, manifest says {e}");
        }
    }

    private static OnnxTensorInfo SelectOutput(OnnxModelInfo info, ModelIo io, string name)
    {
        if (info.Outputs.Count == 0) throw new ModelLoadException($"model {name}: the model declares no output");
        var output = io.OutputName is null ? info.Outputs[0] : info.Outputs.FirstOrDefault(o => o.Name == io.OutputName)
            ?? throw new ModelLoadException($"model {name}: output.name '{io.OutputName}' is not one of the model's outputs ({string.Join(", ", info.Outputs.Select(o => o.Name))})");
        if (output.ElementType is not (OnnxFloat or OnnxFloat16))
            throw new ModelLoadException($"model {name}: output '{output.Name}' is not a float tensor (ONNX element type {output.ElementType})");
        return output;
    }

    /// <summary>
    /// How one image's output is read: squeezed of trailing 1s, a 2-d [tokens, D] is pooled to D; anything else is
    /// flattened. Returns (tokens, D); tokens = 1 when nothing is pooled.
    /// </summary>
    public static (int Tokens, int Dim) Reading(ReadOnlySpan<long> trailingDims)
    {
        int rank = trailingDims.Length;
        while (rank > 1 && trailingDims[rank - 1] == 1) rank--;
        if (rank == 2) return (checked((int)trailingDims[0]), checked((int)trailingDims[1]));
        long n = 1;
        foreach (long x in trailingDims) n = checked(n * x);
        return (1, checked((int)n));
    }
}

/// <summary>A graph's feed and output as validated once, before its session opens (<see cref="ModelSignature"/>).</summary>
/// <param name="InputName">The graph input, fed uint8 [N,S,S,3] crops.</param>
/// <param name="InputSize">S: the crop side.</param>
/// <param name="FixedBatch">The batch the graph pins; null when symbolic.</param>
/// <param name="OutputTrailingDims">The output's dims after the batch; -1 where symbolic (probed with one run at load).</param>
/// <param name="HalfOutput">The output is float16 (widened to float when read).</param>
public sealed record SessionSignature(string InputName, int InputSize, int? FixedBatch, string OutputName, long[] OutputTrailingDims, bool HalfOutput);
