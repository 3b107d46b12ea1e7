namespace RobustCrop.IO.Onnx;

/// <summary>Encoders and decoders for the handful of ONNX messages the surgery and builder need.</summary>
internal static class OnnxEncoding
{
    public static ProtoWriter Node(string opType, IReadOnlyList<string> inputs, IReadOnlyList<string> outputs, string? name, IReadOnlyList<OnnxAttribute> attributes)
    {
        var w = new ProtoWriter();
        foreach (string input in inputs)
        {
            w.WriteString(OnnxFields.NodeInput, input);
        }
        foreach (string output in outputs)
        {
            w.WriteString(OnnxFields.NodeOutput, output);
        }
        if (!string.IsNullOrEmpty(name))
        {
            w.WriteString(OnnxFields.NodeName, name);
        }
        w.WriteString(OnnxFields.NodeOpType, opType);
        foreach (OnnxAttribute attribute in attributes)
        {
            var a = new ProtoWriter();
            attribute.WriteTo(a);
            w.WriteMessage(OnnxFields.NodeAttribute, a);
        }
        return w;
    }

    public static ProtoWriter FloatTensor(string name, ReadOnlySpan<long> dims, ReadOnlySpan<float> data, bool rawData)
    {
        var w = new ProtoWriter(data.Length * 4 + 64);
        w.WritePackedInt64s(OnnxFields.TensorDims, dims);
        w.WriteVarint(OnnxFields.TensorDataType, OnnxFields.ElemFloat);
        if (rawData)
        {
            w.WriteBytes(OnnxFields.TensorRawData, System.Runtime.InteropServices.MemoryMarshal.AsBytes(data));
        }
        else
        {
            w.WritePackedFloats(OnnxFields.TensorFloatData, data);
        }
        w.WriteString(OnnxFields.TensorName, name);
        return w;
    }

    public static ProtoWriter Int64Tensor(string name, ReadOnlySpan<long> dims, ReadOnlySpan<long> data)
    {
        var w = new ProtoWriter();
        w.WritePackedInt64s(OnnxFields.TensorDims, dims);
        w.WriteVarint(OnnxFields.TensorDataType, OnnxFields.ElemInt64);
        w.WritePackedInt64s(OnnxFields.TensorInt64Data, data);
        w.WriteString(OnnxFields.TensorName, name);
        return w;
    }

    public static ProtoWriter ValueInfo(string name, int elemType, IReadOnlyList<OnnxDim> dims)
    {
        var shape = new ProtoWriter();
        foreach (OnnxDim dim in dims)
        {
            var d = new ProtoWriter(16);
            if (dim.Value is long value)
            {
                d.WriteVarint(OnnxFields.DimValue, value);
            }
            else if (dim.Param is string param)
            {
                d.WriteString(OnnxFields.DimParam, param);
            }
            shape.WriteMessage(OnnxFields.ShapeDim, d);
        }
        var tensorType = new ProtoWriter();
        tensorType.WriteVarint(OnnxFields.TensorTypeElemType, elemType);
        tensorType.WriteMessage(OnnxFields.TensorTypeShape, shape);
        var type = new ProtoWriter();
        type.WriteMessage(OnnxFields.TypeTensor, tensorType);
        var w = new ProtoWriter();
        w.WriteString(OnnxFields.ValueInfoName, name);
        w.WriteMessage(OnnxFields.ValueInfoType, type);
        return w;
    }

    public static OnnxTensorInfo ReadValueInfo(ReadOnlySpan<byte> message)
    {
        string name = "";
        int elemType = 0;
        var dims = new List<OnnxDim>();
        var r = new ProtoReader(message);
        while (r.TryRead(out ProtoField f))
        {
            if (f.FieldNumber == OnnxFields.ValueInfoName && f.WireType == WireType.LengthDelimited)
            {
                name = f.String;
            }
            else if (f.FieldNumber == OnnxFields.ValueInfoType && f.WireType == WireType.LengthDelimited)
            {
                ReadType(f.Payload, ref elemType, dims);
            }
        }
        return new OnnxTensorInfo(name, elemType, dims);
    }

    private static void ReadType(ReadOnlySpan<byte> type, ref int elemType, List<OnnxDim> dims)
    {
        var r = new ProtoReader(type);
        while (r.TryRead(out ProtoField f))
        {
            if (f.FieldNumber != OnnxFields.TypeTensor || f.WireType != WireType.LengthDelimited)
            {
                continue;
            }
            var t = new ProtoReader(f.Payload);
            while (t.TryRead(out ProtoField tf))
            {
                if (tf.FieldNumber == OnnxFields.TensorTypeElemType && tf.WireType == WireType.Varint)
                {
                    elemType = (int)tf.Int64;
                }
                else if (tf.FieldNumber == OnnxFields.TensorTypeShape && tf.WireType == WireType.LengthDelimited)
                {
                    var s = new ProtoReader(tf.Payload);
                    while (s.TryRead(out ProtoField sf))
                    {
                        if (sf.FieldNumber == OnnxFields.ShapeDim && sf.WireType == WireType.LengthDelimited)
                        {
                            dims.Add(ReadDim(sf.Payload));
                        }
                    }
                }
            }
        }
    }

    private static OnnxDim ReadDim(ReadOnlySpan<byte> dim)
    {
        long? value = null;
        string? param = null;
        var r = new ProtoReader(dim);
        while (r.TryRead(out ProtoField f))
        {
            if (f.FieldNumber == OnnxFields.DimValue && f.WireType == WireType.Varint)
            {
                value = f.Int64;
            }
            else if (f.FieldNumber == OnnxFields.DimParam && f.WireType == WireType.LengthDelimited)
            {
                param = f.String;
            }
        }
        return new OnnxDim(value, param);
    }

    public static string? ReadStringField(ReadOnlySpan<byte> message, int fieldNumber)
    {
        var r = new ProtoReader(message);
        while (r.TryRead(out ProtoField f))
        {
            if (f.FieldNumber == fieldNumber && f.WireType == WireType.LengthDelimited)
            {
                return f.String;
            }
        }
        return null;
    }

    /// <summary>Returns the graph payload and fails clearly when the model has none.</summary>
    public static ReadOnlySpan<byte> Graph(ReadOnlySpan<byte> model) => Graph(model, out _);

    public static ReadOnlySpan<byte> Graph(ReadOnlySpan<byte> model, out int offset)
    {
        var r = new ProtoReader(model);
        while (r.TryRead(out ProtoField f))
        {
            if (f.FieldNumber == OnnxFields.ModelGraph && f.WireType == WireType.LengthDelimited)
            {
                offset = f.PayloadOffset;
                return f.Payload;
            }
        }
        throw new InvalidDataException("ONNX model has no graph");
    }

    public static HashSet<string> InitializerNames(ReadOnlySpan<byte> graph)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var r = new ProtoReader(graph);
        while (r.TryRead(out ProtoField f))
        {
            if (f.FieldNumber == OnnxFields.GraphInitializer && f.WireType == WireType.LengthDelimited)
            {
                names.Add(ReadStringField(f.Payload, OnnxFields.TensorName) ?? "");
            }
        }
        return names;
    }
}
