using System.Buffers.Binary;

namespace RobustCrop.IO.Onnx;

/// <summary>One decoded field. <see cref="Raw"/> is the whole field including its tag, so callers
/// can copy fields they do not understand byte-for-byte.</summary>
public readonly ref struct ProtoField
{
    public ProtoField(int fieldNumber, WireType wireType, ulong scalar, ReadOnlySpan<byte> payload, ReadOnlySpan<byte> raw, int offset = 0)
    {
        Offset = offset;
        FieldNumber = fieldNumber;
        WireType = wireType;
        Scalar = scalar;
        Payload = payload;
        Raw = raw;
    }

    public int FieldNumber { get; }

    public WireType WireType { get; }

    /// <summary>The varint, fixed32 or fixed64 value; zero for length-delimited fields.</summary>
    public ulong Scalar { get; }

    /// <summary>The bytes of a length-delimited field (string, bytes, sub-message or packed array).</summary>
    public ReadOnlySpan<byte> Payload { get; }

    public ReadOnlySpan<byte> Raw { get; }

    /// <summary>Where <see cref="Raw"/> starts within the span the reader was given.</summary>
    public int Offset { get; }

    /// <summary>Where <see cref="Payload"/> starts within the span the reader was given.</summary>
    public int PayloadOffset => Offset + Raw.Length - Payload.Length;

    public long Int64 => unchecked((long)Scalar);

    public float Float32 => WireType == WireType.Fixed32
        ? BitConverter.UInt32BitsToSingle((uint)Scalar)
        : throw new InvalidDataException($"protobuf field {FieldNumber} is {WireType}, expected Fixed32");

    public string String => WireType == WireType.LengthDelimited
        ? System.Text.Encoding.UTF8.GetString(Payload)
        : throw new InvalidDataException($"protobuf field {FieldNumber} is {WireType}, expected a string");
}

/// <summary>
/// Iterates the fields of one protobuf message held in a span. Malformed input raises
/// <see cref="InvalidDataException"/> rather than reading past the message.
/// </summary>
public ref struct ProtoReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    public ProtoReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
    }

    public readonly bool End => _position >= _data.Length;

    public bool TryRead(out ProtoField field)
    {
        if (_position >= _data.Length)
        {
            field = default;
            return false;
        }

        int start = _position;
        ulong key = ReadVarint(_data, ref _position);
        ulong fieldNumber = key >> 3;
        if (fieldNumber == 0 || fieldNumber > 0x1FFFFFFF)
        {
            throw new InvalidDataException($"invalid protobuf field number {fieldNumber} at offset {start}");
        }
        var wireType = (WireType)(key & 7);
        ulong scalar = 0;
        ReadOnlySpan<byte> payload = default;
        switch (wireType)
        {
            case WireType.Varint:
                scalar = ReadVarint(_data, ref _position);
                break;
            case WireType.Fixed64:
                scalar = BinaryPrimitives.ReadUInt64LittleEndian(Take(8));
                break;
            case WireType.Fixed32:
                scalar = BinaryPrimitives.ReadUInt32LittleEndian(Take(4));
                break;
            case WireType.LengthDelimited:
                ulong length = ReadVarint(_data, ref _position);
                if (length > (ulong)(_data.Length - _position))
                {
                    throw new InvalidDataException($"protobuf field {fieldNumber} at offset {start} claims {length} bytes, only {_data.Length - _position} remain");
                }
                payload = Take((int)length);
                break;
            default:
                throw new InvalidDataException($"unsupported protobuf wire type {(int)wireType} at offset {start}");
        }

        field = new ProtoField((int)fieldNumber, wireType, scalar, payload, _data[start.._position], start);
        return true;
    }

    public static ulong ReadVarint(ReadOnlySpan<byte> data, ref int position)
    {
        ulong result = 0;
        for (int shift = 0; shift < 70; shift += 7)
        {
            if (position >= data.Length)
            {
                throw new InvalidDataException("truncated protobuf varint");
            }
            byte b = data[position++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }
        throw new InvalidDataException("protobuf varint longer than 10 bytes");
    }

    /// <summary>Decodes a packed repeated float payload.</summary>
    public static float[] ReadPackedFloats(ReadOnlySpan<byte> payload)
    {
        if (payload.Length % 4 != 0)
        {
            throw new InvalidDataException($"packed float payload of {payload.Length} bytes is not a multiple of 4");
        }
        var values = new float[payload.Length / 4];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(payload.Slice(i * 4, 4));
        }
        return values;
    }

    /// <summary>Decodes a packed repeated varint payload (int64 and friends).</summary>
    public static long[] ReadPackedInt64s(ReadOnlySpan<byte> payload)
    {
        var values = new List<long>();
        int position = 0;
        while (position < payload.Length)
        {
            values.Add(unchecked((long)ReadVarint(payload, ref position)));
        }
        return values.ToArray();
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > _data.Length - _position)
        {
            throw new InvalidDataException($"truncated protobuf message: wanted {count} bytes at offset {_position}");
        }
        ReadOnlySpan<byte> slice = _data.Slice(_position, count);
        _position += count;
        return slice;
    }
}
