namespace RobustCrop.IO.Onnx;

/// <summary>Protobuf wire types; groups (3, 4) are deprecated and never appear in ONNX files.</summary>
public enum WireType
{
    Varint = 0,
    Fixed64 = 1,
    LengthDelimited = 2,
    Fixed32 = 5,
}
