namespace RobustCrop.IO.Onnx;

/// <summary>
/// Assembles a rewritten message from ranges of the source plus small new pieces, and copies it
/// into one exactly sized array. Models are tens of MB, and every intermediate full-size buffer
/// costs fresh pages; this keeps a rewrite to a single allocation and copy.
/// </summary>
internal sealed class SpliceBuilder
{
    private readonly byte[] _source;
    private readonly List<(int Offset, int Length, byte[]? Bytes)> _parts = [];

    public SpliceBuilder(byte[] source)
    {
        _source = source;
    }

    public long Length { get; private set; }

    public void Source(int offset, int length)
    {
        if (length == 0)
        {
            return;
        }
        if (_parts.Count > 0 && _parts[^1] is { Bytes: null } last && last.Offset + last.Length == offset)
        {
            _parts[^1] = (last.Offset, last.Length + length, null);
        }
        else
        {
            _parts.Add((offset, length, null));
        }
        Length += length;
    }

    public void Bytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length == 0)
        {
            return;
        }
        _parts.Add((0, bytes.Length, bytes.ToArray()));
        Length += bytes.Length;
    }

    /// <summary>Appends <paramref name="inner"/> as length-delimited field <paramref name="fieldNumber"/>.</summary>
    public void Message(int fieldNumber, SpliceBuilder inner)
    {
        var header = new ProtoWriter(16);
        header.WriteTag(fieldNumber, WireType.LengthDelimited);
        header.WriteVarint((ulong)inner.Length);
        Bytes(header.WrittenSpan);
        foreach ((int offset, int length, byte[]? bytes) in inner._parts)
        {
            if (bytes is null)
            {
                Source(offset, length);
            }
            else
            {
                _parts.Add((0, length, bytes));
                Length += length;
            }
        }
    }

    public byte[] ToArray()
    {
        if (Length > Array.MaxLength)
        {
            throw new InvalidOperationException("rewritten model exceeds the maximum array size");
        }
        var result = GC.AllocateUninitializedArray<byte>((int)Length);
        int position = 0;
        foreach ((int offset, int length, byte[]? bytes) in _parts)
        {
            ReadOnlySpan<byte> part = bytes ?? _source.AsSpan(offset, length);
            part.CopyTo(result.AsSpan(position));
            position += length;
        }
        return result;
    }
}
