namespace RobustCrop.IO.Onnx;

/// <summary>
/// Byte-level rewrites of ONNX model files. Everything not named here is copied byte-for-byte, so
/// weights, metadata and unknown (newer) fields survive untouched.
/// </summary>
public static class OnnxModelSurgery
{
    /// <summary>
    /// Makes dim 0 of every graph input and output the symbol <paramref name="dimName"/> and drops
    /// graph value_info, whose intermediate shapes would otherwise pin the batch to the exported size.
    /// </summary>
    public static byte[] MakeBatchSymbolic(byte[] model, string dimName = "batch")
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(dimName);

        var output = new SpliceBuilder(model);
        var r = new ProtoReader(model);
        while (r.TryRead(out ProtoField f))
        {
            if (f.FieldNumber == OnnxFields.ModelGraph && f.WireType == WireType.LengthDelimited)
            {
                output.Message(OnnxFields.ModelGraph, RewriteGraphForBatch(model, f.PayloadOffset, f.Payload, dimName));
            }
            else
            {
                output.Source(f.Offset, f.Raw.Length);
            }
        }
        return output.ToArray();
    }

    private static SpliceBuilder RewriteGraphForBatch(byte[] model, int graphOffset, ReadOnlySpan<byte> graph, string dimName)
    {
        // IR < 4 files may list weights as graph inputs; their leading dim is an output-channel count, not a batch.
        HashSet<string> initializers = OnnxEncoding.InitializerNames(graph);
        var splice = new SpliceBuilder(model);
        var r = new ProtoReader(graph);
        while (r.TryRead(out ProtoField f))
        {
            bool isIo = (f.FieldNumber == OnnxFields.GraphInput || f.FieldNumber == OnnxFields.GraphOutput) && f.WireType == WireType.LengthDelimited;
            if (f.FieldNumber == OnnxFields.GraphValueInfo)
            {
                continue;
            }
            if (isIo && !(f.FieldNumber == OnnxFields.GraphInput && initializers.Contains(OnnxEncoding.ReadStringField(f.Payload, OnnxFields.ValueInfoName) ?? "")))
            {
                var w = new ProtoWriter(f.Raw.Length + 16);
                w.WriteMessage(f.FieldNumber, RewriteNested(f.Payload, BatchPath, 0, dimName));
                splice.Bytes(w.WrittenSpan);
            }
            else
            {
                splice.Source(graphOffset + f.Offset, f.Raw.Length);
            }
        }
        return splice;
    }

    // ValueInfoProto.type → TypeProto.tensor_type → Tensor.shape; at the shape the first dim is replaced.
    private static ReadOnlySpan<int> BatchPath => [OnnxFields.ValueInfoType, OnnxFields.TypeTensor, OnnxFields.TensorTypeShape];

    private static ProtoWriter RewriteNested(ReadOnlySpan<byte> message, ReadOnlySpan<int> path, int depth, string dimName)
    {
        var w = new ProtoWriter(message.Length + 16);
        var r = new ProtoReader(message);
        bool firstDimDone = false;
        while (r.TryRead(out ProtoField f))
        {
            if (depth < path.Length && f.FieldNumber == path[depth] && f.WireType == WireType.LengthDelimited)
            {
                w.WriteMessage(f.FieldNumber, RewriteNested(f.Payload, path, depth + 1, dimName));
            }
            else if (depth == path.Length && !firstDimDone && f.FieldNumber == OnnxFields.ShapeDim && f.WireType == WireType.LengthDelimited)
            {
                firstDimDone = true;
                w.WriteMessage(OnnxFields.ShapeDim, SymbolicDim(f.Payload, dimName));
            }
            else
            {
                w.WriteRaw(f.Raw);
            }
        }
        return w;
    }

    private static ProtoWriter SymbolicDim(ReadOnlySpan<byte> dim, string dimName)
    {
        var w = new ProtoWriter(dimName.Length + 8);
        w.WriteString(OnnxFields.DimParam, dimName);
        var r = new ProtoReader(dim);
        while (r.TryRead(out ProtoField f))
        {
            if (f.FieldNumber == OnnxFields.DimDenotation)
            {
                w.WriteRaw(f.Raw);
            }
        }
        return w;
    }

    /// <summary>The largest low-pass radius the rewrite builds (a 129x129 kernel): beyond it the blur is no anti-aliasing.</summary>
    public const int MaxRadius = 64;

    /// <summary>A radius that keeps all but ~0.3% of the Gaussian's mass: ceil(3 sigma), at least 1.</summary>
    public static int DefaultRadius(float sigma)
    {
        if (!(sigma > 0) || float.IsInfinity(sigma))
        {
            throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "sigma must be positive and finite");
        }
        return Math.Max(1, (int)Math.Ceiling(3.0 * sigma));
    }

    /// <summary>The separable (2r+1)x(2r+1) Gaussian, normalised to sum 1, row-major.</summary>
    public static float[] GaussianKernel(float sigma, int radius)
    {
        if (!(sigma > 0) || float.IsInfinity(sigma))
        {
            throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "sigma must be positive and finite");
        }
        if (radius < 1 || radius > MaxRadius)
        {
            throw new ArgumentOutOfRangeException(nameof(radius), radius, $"radius must be 1..{MaxRadius}");
        }
        int size = 2 * radius + 1;
        var oneD = new double[size];
        double sum = 0;
        for (int i = 0; i < size; i++)
        {
            double d = i - radius;
            oneD[i] = Math.Exp(-d * d / (2.0 * sigma * sigma));
            sum += oneD[i];
        }
        var kernel = new float[size * size];
        for (int y = 0; y < size; y++)
        {
            for (int x = 0; x < size; x++)
            {
                kernel[y * size + x] = (float)(oneD[y] * oneD[x] / (sum * sum));
            }
        }
        return kernel;
    }

    /// <summary>
    /// Inserts a depthwise Gaussian Conv between the graph input and its consumers, so the model sees
    /// a blurred (anti-aliased) image while keeping its input and output names and shapes. The border
    /// is zero-padded by <paramref name="radius"/>, so edge pixels darken towards zero.
    /// </summary>
    public static byte[] PrependGaussianLowPass(byte[] model, float sigma, int radius)
    {
        ArgumentNullException.ThrowIfNull(model);
        float[] kernel2d = GaussianKernel(sigma, radius);

        ReadOnlySpan<byte> graph = OnnxEncoding.Graph(model, out int graphOffset);
        var usedNames = OnnxGraphNames.Used(graph, out OnnxTensorInfo? input);
        if (input is null)
        {
            throw new InvalidDataException("ONNX model has no non-initializer graph input to low-pass");
        }
        if (input.Dims.Count != 4 || input.Dims[1].Value is not long channelCount || channelCount <= 0)
        {
            throw new InvalidDataException($"low-pass needs an input of shape [N,C,H,W] with fixed C; '{input.Name}' is {input.Shape}");
        }

        int channels = (int)channelCount;
        int size = 2 * radius + 1;
        var kernel = new float[channels * size * size];
        for (int c = 0; c < channels; c++)
        {
            kernel2d.CopyTo(kernel.AsSpan(c * size * size));
        }
        string blurred = OnnxGraphNames.Unique(input.Name + "_lowpassed", usedNames);
        string kernelName = OnnxGraphNames.Unique(input.Name + "_lowpass_kernel", usedNames);
        string nodeName = OnnxGraphNames.Unique(input.Name + "_lowpass", usedNames);

        var conv = OnnxEncoding.Node(
            "Conv",
            [input.Name, kernelName],
            [blurred],
            nodeName,
            [
                OnnxAttribute.Ints("kernel_shape", size, size),
                OnnxAttribute.Ints("pads", radius, radius, radius, radius),
                OnnxAttribute.Ints("strides", 1, 1),
                OnnxAttribute.Ints("dilations", 1, 1),
                OnnxAttribute.Int("group", channels),
            ]);

        var splice = new SpliceBuilder(model);
        var head = new ProtoWriter();
        // Written before the existing nodes so the graph stays topologically sorted.
        head.WriteMessage(OnnxFields.GraphNode, conv);
        splice.Bytes(head.WrittenSpan);
        var r = new ProtoReader(graph);
        while (r.TryRead(out ProtoField f))
        {
            if (f.FieldNumber == OnnxFields.GraphNode && f.WireType == WireType.LengthDelimited && OnnxGraphNames.ReadsInput(f.Payload, input.Name))
            {
                var node = new ProtoWriter(f.Raw.Length + 32);
                node.WriteMessage(OnnxFields.GraphNode, OnnxGraphNames.RenameNodeInputs(f.Payload, input.Name, blurred));
                splice.Bytes(node.WrittenSpan);
            }
            else
            {
                splice.Source(graphOffset + f.Offset, f.Raw.Length);
            }
        }
        var tail = new ProtoWriter(kernel.Length * 4 + 64);
        tail.WriteMessage(OnnxFields.GraphInitializer, OnnxEncoding.FloatTensor(kernelName, [channels, 1, size, size], kernel, rawData: true));
        splice.Bytes(tail.WrittenSpan);

        var output = new SpliceBuilder(model);
        var mr = new ProtoReader(model);
        while (mr.TryRead(out ProtoField f))
        {
            if (f.FieldNumber == OnnxFields.ModelGraph && f.WireType == WireType.LengthDelimited)
            {
                output.Message(OnnxFields.ModelGraph, splice);
            }
            else
            {
                output.Source(f.Offset, f.Raw.Length);
            }
        }
        return output.ToArray();
    }

    /// <summary>Reads a float initializer stored either as raw_data or as float_data (packed or not).</summary>
    public static (long[] Dims, float[] Data) ReadFloatInitializer(byte[] model, string name)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(name);
        var r = new ProtoReader(OnnxEncoding.Graph(model));
        while (r.TryRead(out ProtoField f))
        {
            if (f.FieldNumber == OnnxFields.GraphInitializer && f.WireType == WireType.LengthDelimited
                && OnnxEncoding.ReadStringField(f.Payload, OnnxFields.TensorName) == name)
            {
                return DecodeFloatTensor(f.Payload, name);
            }
        }
        throw new KeyNotFoundException($"ONNX model has no initializer named '{name}'");
    }

    private static (long[] Dims, float[] Data) DecodeFloatTensor(ReadOnlySpan<byte> tensor, string name)
    {
        var dims = new List<long>();
        var floats = new List<float>();
        float[]? raw = null;
        long dataType = 0;
        var r = new ProtoReader(tensor);
        while (r.TryRead(out ProtoField f))
        {
            switch (f.FieldNumber, f.WireType)
            {
                case (OnnxFields.TensorDims, WireType.Varint):
                    dims.Add(f.Int64);
                    break;
                case (OnnxFields.TensorDims, WireType.LengthDelimited):
                    dims.AddRange(ProtoReader.ReadPackedInt64s(f.Payload));
                    break;
                case (OnnxFields.TensorDataType, WireType.Varint):
                    dataType = f.Int64;
                    break;
                case (OnnxFields.TensorFloatData, WireType.Fixed32):
                    floats.Add(f.Float32);
                    break;
                case (OnnxFields.TensorFloatData, WireType.LengthDelimited):
                    floats.AddRange(ProtoReader.ReadPackedFloats(f.Payload));
                    break;
                case (OnnxFields.TensorRawData, WireType.LengthDelimited):
                    raw = ProtoReader.ReadPackedFloats(f.Payload);
                    break;
                case (OnnxFields.TensorExternalData, _):
                    throw new InvalidDataException($"initializer '{name}' uses external data, which is not supported");
            }
        }
        if (dataType != OnnxFields.ElemFloat)
        {
            throw new InvalidDataException($"initializer '{name}' has data type {dataType}, expected 1 (float)");
        }
        float[] data = raw ?? floats.ToArray();
        long expected = 1;
        foreach (long d in dims)
        {
            expected *= d;
        }
        if (expected != data.Length)
        {
            throw new InvalidDataException($"initializer '{name}' has {data.Length} values for dims [{string.Join(",", dims)}]");
        }
        return (dims.ToArray(), data);
    }

    public static OnnxModelInfo Inspect(byte[] model)
    {
        ArgumentNullException.ThrowIfNull(model);
        long irVersion = 0;
        long opset = 0;
        string producerName = "";
        string producerVersion = "";
        bool hasGraph = false;
        var inputs = new List<OnnxTensorInfo>();
        var outputs = new List<OnnxTensorInfo>();
        int nodes = 0;
        int initializerCount = 0;
        int valueInfo = 0;

        var r = new ProtoReader(model);
        while (r.TryRead(out ProtoField f))
        {
            switch (f.FieldNumber, f.WireType)
            {
                case (OnnxFields.ModelIrVersion, WireType.Varint):
                    irVersion = f.Int64;
                    break;
                case (OnnxFields.ModelProducerName, WireType.LengthDelimited):
                    producerName = f.String;
                    break;
                case (OnnxFields.ModelProducerVersion, WireType.LengthDelimited):
                    producerVersion = f.String;
                    break;
                case (OnnxFields.ModelOpsetImport, WireType.LengthDelimited):
                    (string domain, long version) = ReadOpset(f.Payload);
                    if (domain is "" or "ai.onnx")
                    {
                        opset = version;
                    }
                    break;
                case (OnnxFields.ModelGraph, WireType.LengthDelimited):
                    hasGraph = true;
                    HashSet<string> initializers = OnnxEncoding.InitializerNames(f.Payload);
                    initializerCount = initializers.Count;
                    var g = new ProtoReader(f.Payload);
                    while (g.TryRead(out ProtoField gf))
                    {
                        if (gf.WireType != WireType.LengthDelimited)
                        {
                            continue;
                        }
                        switch (gf.FieldNumber)
                        {
                            case OnnxFields.GraphNode:
                                nodes++;
                                break;
                            case OnnxFields.GraphValueInfo:
                                valueInfo++;
                                break;
                            case OnnxFields.GraphInput:
                                OnnxTensorInfo input = OnnxEncoding.ReadValueInfo(gf.Payload);
                                if (!initializers.Contains(input.Name))
                                {
                                    inputs.Add(input);
                                }
                                break;
                            case OnnxFields.GraphOutput:
                                outputs.Add(OnnxEncoding.ReadValueInfo(gf.Payload));
                                break;
                        }
                    }
                    break;
            }
        }
        if (!hasGraph)
        {
            throw new InvalidDataException("ONNX model has no graph");
        }
        return new OnnxModelInfo(irVersion, opset, producerName, producerVersion, inputs, outputs, nodes, initializerCount, valueInfo);
    }

    private static (string Domain, long Version) ReadOpset(ReadOnlySpan<byte> opset)
    {
        string domain = "";
        long version = 0;
        var r = new ProtoReader(opset);
        while (r.TryRead(out ProtoField f))
        {
            if (f.FieldNumber == OnnxFields.OpsetDomain && f.WireType == WireType.LengthDelimited)
            {
                domain = f.String;
            }
            else if (f.FieldNumber == OnnxFields.OpsetVersion && f.WireType == WireType.Varint)
            {
                version = f.Int64;
            }
        }
        return (domain, version);
    }
}
