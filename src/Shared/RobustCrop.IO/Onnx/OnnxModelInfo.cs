namespace RobustCrop.IO.Onnx;

/// <summary>One tensor dimension: a fixed size, a named symbol, or unknown (neither).</summary>
public readonly record struct OnnxDim(long? Value, string? Param)
{
    public static OnnxDim Unknown => default;

    public bool IsFixed => Value is not null;

    /// <summary>-1 marks an unknown extent, matching ONNX Runtime's metadata convention.</summary>
    public static implicit operator OnnxDim(long value) => value < 0 ? Unknown : new OnnxDim(value, null);

    public static implicit operator OnnxDim(int value) => (long)value;

    public static implicit operator OnnxDim(string param) => new(null, param);

    public override string ToString() => Value?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? Param ?? "?";
}

/// <summary>A graph input or output. <see cref="ElementType"/> is the onnx.proto TensorProto.DataType (1 = float).</summary>
public sealed record OnnxTensorInfo(string Name, int ElementType, IReadOnlyList<OnnxDim> Dims)
{
    public string Shape => "[" + string.Join(",", Dims) + "]";

    public override string ToString() => Name + Shape;
}

public sealed record OnnxModelInfo(
    long IrVersion,
    long OpsetVersion,
    string ProducerName,
    string ProducerVersion,
    IReadOnlyList<OnnxTensorInfo> Inputs,
    IReadOnlyList<OnnxTensorInfo> Outputs,
    int NodeCount,
    int InitializerCount,
    int ValueInfoCount)
{
    public string Producer => string.IsNullOrEmpty(ProducerVersion) ? ProducerName : ProducerName + " " + ProducerVersion;
}
