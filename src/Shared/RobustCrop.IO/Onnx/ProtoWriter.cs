using System.Buffers.Binary;

namespace RobustCrop.IO.Onnx;

/// <summary>
/// Appends protobuf wire-format fields to a growable buffer. Nested messages are written by a
/// separate writer and embedded with <see cref="WriteBytes(int, ReadOnlySpan{byte})"/>, because the
/// wire format needs the length before the payload.
/// </summary>
public sealed class ProtoWriter
{
    private byte[] _buffer;
    private int _length;

    public ProtoWriter(int initialCapacity = 256)
    {
        _buffer = new byte[Math.Max(16, initialCapacity)];
    }

    public int Length => _length;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    public byte[] ToArray() => WrittenSpan.ToArray();

    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Reserve(bytes.Length));
        _length += bytes.Length;
    }

    public void WriteVarint(ulong value)
    {
        Span<byte> span = Reserve(10);
        int i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[i++] = (byte)value;
        _length += i;
    }

    public void WriteTag(int fieldNumber, WireType wireType)
    {
        if (fieldNumber <= 0 || fieldNumber > 0x1FFFFFFF)
        {
            throw new ArgumentOutOfRangeException(nameof(fieldNumber), fieldNumber, "protobuf field numbers are 1..2^29-1");
        }
        WriteVarint(((ulong)(uint)fieldNumber << 3) | (uint)wireType);
    }

    /// <summary>Writes an int32/int64/uint64/enum/bool field; negative values take ten bytes as protobuf requires.</summary>
    public void WriteVarint(int fieldNumber, long value)
    {
        WriteTag(fieldNumber, WireType.Varint);
        WriteVarint(unchecked((ulong)value));
    }

    public void WriteFixed32(int fieldNumber, uint value)
    {
        WriteTag(fieldNumber, WireType.Fixed32);
        BinaryPrimitives.WriteUInt32LittleEndian(Reserve(4), value);
        _length += 4;
    }

    public void WriteFloat(int fieldNumber, float value) =>
        WriteFixed32(fieldNumber, BitConverter.SingleToUInt32Bits(value));

    public void WriteFixed64(int fieldNumber, ulong value)
    {
        WriteTag(fieldNumber, WireType.Fixed64);
        BinaryPrimitives.WriteUInt64LittleEndian(Reserve(8), value);
        _length += 8;
    }

    public void WriteBytes(int fieldNumber, ReadOnlySpan<byte> payload)
    {
        WriteTag(fieldNumber, WireType.LengthDelimited);
        WriteVarint((ulong)payload.Length);
        WriteRaw(payload);
    }

    public void WriteString(int fieldNumber, string value)
    {
        int byteCount = System.Text.Encoding.UTF8.GetByteCount(value);
        WriteTag(fieldNumber, WireType.LengthDelimited);
        WriteVarint((ulong)byteCount);
        System.Text.Encoding.UTF8.GetBytes(value, Reserve(byteCount));
        _length += byteCount;
    }

    public void WriteMessage(int fieldNumber, ProtoWriter message) => WriteBytes(fieldNumber, message.WrittenSpan);

    public void WritePackedFloats(int fieldNumber, ReadOnlySpan<float> values)
    {
        WriteTag(fieldNumber, WireType.LengthDelimited);
        WriteVarint((ulong)values.Length * 4);
        Span<byte> span = Reserve(values.Length * 4);
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(span.Slice(i * 4, 4), values[i]);
        }
        _length += values.Length * 4;
    }

    public void WritePackedInt64s(int fieldNumber, ReadOnlySpan<long> values)
    {
        int size = 0;
        foreach (long v in values)
        {
            size += VarintSize(unchecked((ulong)v));
        }
        WriteTag(fieldNumber, WireType.LengthDelimited);
        WriteVarint((ulong)size);
        foreach (long v in values)
        {
            WriteVarint(unchecked((ulong)v));
        }
    }

    public static int VarintSize(ulong value)
    {
        int size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }
        return size;
    }

    private Span<byte> Reserve(int count)
    {
        if (_buffer.Length - _length < count)
        {
            long wanted = Math.Max((long)_buffer.Length * 2, (long)_length + count);
            if (wanted > Array.MaxLength)
            {
                wanted = (long)_length + count;
                if (wanted > Array.MaxLength)
                {
                    throw new InvalidOperationException("protobuf message exceeds the maximum array size");
                }
            }
            Array.Resize(ref _buffer, (int)wanted);
        }
        return _buffer.AsSpan(_length, count);
    }
}
