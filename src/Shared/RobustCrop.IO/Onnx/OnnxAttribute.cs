namespace RobustCrop.IO.Onnx;

/// <summary>A node attribute for <see cref="OnnxGraphBuilder"/> and graph surgery.</summary>
public sealed class OnnxAttribute
{
    private OnnxAttribute(string name, int type, long intValue, float floatValue, string? stringValue, long[]? ints, float[]? floats)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw new ArgumentException("attribute name must not be empty", nameof(name));
        }
        Name = name;
        Type = type;
        IntValue = intValue;
        FloatValue = floatValue;
        StringValue = stringValue;
        IntsValue = ints;
        FloatsValue = floats;
    }

    public string Name { get; }

    /// <summary>onnx.proto AttributeProto.AttributeType.</summary>
    public int Type { get; }

    public long IntValue { get; }

    public float FloatValue { get; }

    public string? StringValue { get; }

    public IReadOnlyList<long>? IntsValue { get; }

    public IReadOnlyList<float>? FloatsValue { get; }

    public static OnnxAttribute Int(string name, long value) => new(name, OnnxFields.AttrTypeInt, value, 0, null, null, null);

    public static OnnxAttribute Float(string name, float value) => new(name, OnnxFields.AttrTypeFloat, 0, value, null, null, null);

    public static OnnxAttribute String(string name, string value) =>
        new(name, OnnxFields.AttrTypeString, 0, 0, value ?? throw new ArgumentNullException(nameof(value)), null, null);

    public static OnnxAttribute Ints(string name, params long[] values) =>
        new(name, OnnxFields.AttrTypeInts, 0, 0, null, (long[])values.Clone(), null);

    public static OnnxAttribute Floats(string name, params float[] values) =>
        new(name, OnnxFields.AttrTypeFloats, 0, 0, null, null, (float[])values.Clone());

    internal void WriteTo(ProtoWriter w)
    {
        w.WriteString(OnnxFields.AttrName, Name);
        switch (Type)
        {
            case OnnxFields.AttrTypeInt:
                w.WriteVarint(OnnxFields.AttrI, IntValue);
                break;
            case OnnxFields.AttrTypeFloat:
                w.WriteFloat(OnnxFields.AttrF, FloatValue);
                break;
            case OnnxFields.AttrTypeString:
                w.WriteString(OnnxFields.AttrS, StringValue!);
                break;
            case OnnxFields.AttrTypeInts:
                // Unpacked, as protoc's onnx.proto (proto2) emits them; every reader accepts both.
                foreach (long v in IntsValue!)
                {
                    w.WriteVarint(OnnxFields.AttrInts, v);
                }
                break;
            case OnnxFields.AttrTypeFloats:
                foreach (float v in FloatsValue!)
                {
                    w.WriteFloat(OnnxFields.AttrFloats, v);
                }
                break;
        }
        w.WriteVarint(OnnxFields.AttrType, Type);
    }
}
