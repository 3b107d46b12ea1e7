using System.Globalization;

namespace RobustCrop.IO.Onnx;

/// <summary>
/// Reads a model file into memory as its graph only: every initializer's raw_data of at least
/// <see cref="MinReferencedBytes"/> is left in the file and replaced by an external-data reference to the file itself
/// (location = the file's name, offset and length of the bytes; onnx.proto's external_data). The graph rewrites then
/// work on a few kilobytes whatever the model's size, and ONNX Runtime reads the weights natively from the original
/// file. Models already using external data pass through unchanged (their initializers have no raw_data).
/// </summary>
/// <remarks>The file is read once, sequentially, skipping over the weights; nothing else is buffered.</remarks>
public static class OnnxGraphFile
{
    /// <summary>Smaller tensors (shapes, scalars, biases) stay embedded: a reference costs more than their bytes.</summary>
    public const int MinReferencedBytes = 4096;

    public static byte[] ReadGraph(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var reader = new Reader(stream, Path.GetFileName(path));
        var model = new ProtoWriter(1 << 12);
        while (stream.Position < stream.Length)
        {
            ulong key = reader.Key();
            if (FieldOf(key) == OnnxFields.ModelGraph && WireOf(key) == WireType.LengthDelimited)
            {
                long end = reader.End(reader.Varint());
                model.WriteMessage(OnnxFields.ModelGraph, reader.Graph(end));
            }
            else
            {
                reader.Copy(key, model);
            }
        }
        return model.ToArray();
    }

    private static int FieldOf(ulong key) => (int)(key >> 3);

    private static WireType WireOf(ulong key) => (WireType)(key & 7);

    private sealed class Reader(FileStream stream, string location)
    {
        public long End(ulong length)
        {
            if (length > (ulong)(stream.Length - stream.Position))
                throw new InvalidDataException($"protobuf field at offset {stream.Position} claims {length} bytes, only {stream.Length - stream.Position} remain");
            return stream.Position + (long)length;
        }

        public ProtoWriter Graph(long end)
        {
            var graph = new ProtoWriter(1 << 12);
            while (stream.Position < end)
            {
                ulong key = Key();
                if (FieldOf(key) == OnnxFields.GraphInitializer && WireOf(key) == WireType.LengthDelimited)
                {
                    long tensorEnd = End(Varint());
                    graph.WriteMessage(OnnxFields.GraphInitializer, Tensor(tensorEnd));
                }
                else
                {
                    Copy(key, graph);
                }
            }
            Expect(end);
            return graph;
        }

        private ProtoWriter Tensor(long end)
        {
            var tensor = new ProtoWriter();
            var dataLocation = new ProtoWriter(16);
            long rawOffset = -1, rawLength = 0;
            while (stream.Position < end)
            {
                ulong key = Key();
                int field = FieldOf(key);
                if (field == OnnxFields.TensorRawData && WireOf(key) == WireType.LengthDelimited)
                {
                    long length = End(Varint()) - stream.Position;
                    if (length >= MinReferencedBytes)
                    {
                        rawOffset = stream.Position;
                        rawLength = length;
                        stream.Seek(length, SeekOrigin.Current);
                        continue;
                    }
                    tensor.WriteTag(field, WireType.LengthDelimited);
                    tensor.WriteVarint((ulong)length);
                    tensor.WriteRaw(Bytes(length));
                }
                else
                {
                    Copy(key, field == OnnxFields.TensorDataLocation ? dataLocation : tensor);
                }
            }
            Expect(end);
            if (rawOffset < 0)
            {
                tensor.WriteRaw(dataLocation.WrittenSpan);
                return tensor;
            }
            foreach (var (k, v) in new[] { ("location", location), ("offset", rawOffset.ToString(CultureInfo.InvariantCulture)),
                         ("length", rawLength.ToString(CultureInfo.InvariantCulture)) })
            {
                var entry = new ProtoWriter(64);
                entry.WriteString(OnnxFields.EntryKey, k);
                entry.WriteString(OnnxFields.EntryValue, v);
                tensor.WriteMessage(OnnxFields.TensorExternalData, entry);
            }
            tensor.WriteVarint(OnnxFields.TensorDataLocation, OnnxFields.DataLocationExternal);
            return tensor;
        }

        /// <summary>Copies one field whose key was just read, tag included, into <paramref name="to"/>.</summary>
        public void Copy(ulong key, ProtoWriter to)
        {
            to.WriteVarint(key);
            switch (WireOf(key))
            {
                case WireType.Varint:
                    to.WriteVarint(Varint());
                    break;
                case WireType.Fixed64:
                    to.WriteRaw(Bytes(8));
                    break;
                case WireType.Fixed32:
                    to.WriteRaw(Bytes(4));
                    break;
                case WireType.LengthDelimited:
                    long length = End(Varint()) - stream.Position;
                    to.WriteVarint((ulong)length);
                    to.WriteRaw(Bytes(length));
                    break;
                default:
                    throw new InvalidDataException($"unsupported protobuf wire type {(int)WireOf(key)} at offset {stream.Position}");
            }
        }

        public ulong Key()
        {
            long at = stream.Position;
            ulong key = Varint();
            if (key >> 3 is 0 or > 0x1FFFFFFF) throw new InvalidDataException($"invalid protobuf field number {key >> 3} at offset {at}");
            return key;
        }

        public ulong Varint()
        {
            ulong result = 0;
            for (int shift = 0; shift < 70; shift += 7)
            {
                int b = stream.ReadByte();
                if (b < 0) throw new InvalidDataException("truncated protobuf varint");
                result |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80) return result;
            }
            throw new InvalidDataException($"invalid protobuf varint at offset {stream.Position}");
        }

        private byte[] Bytes(long length)
        {
            // Only graph structure comes here (weights are skipped above), so a huge field means a corrupt file.
            if (length > int.MaxValue / 2) throw new InvalidDataException($"protobuf field of {length} bytes at offset {stream.Position} outside any initializer's raw_data");
            var bytes = new byte[length];
            stream.ReadExactly(bytes);
            return bytes;
        }

        private void Expect(long end)
        {
            if (stream.Position != end) throw new InvalidDataException($"protobuf message overruns its length at offset {stream.Position}");
        }
    }
}
