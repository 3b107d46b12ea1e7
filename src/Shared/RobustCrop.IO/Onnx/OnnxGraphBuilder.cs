namespace RobustCrop.IO.Onnx;

/// <summary>
/// Builds small ONNX models (IR 7, default-domain opset 13) whose answers can be computed by hand: the tests'
/// synthetic zoo, and the near-zero-cost model <c>bench</c> measures the pipeline's feed capacity with.
/// </summary>
public sealed class OnnxGraphBuilder
{
    public const long IrVersion = 7;
    public const long Opset = 13;

    private readonly string _graphName;
    private readonly List<ProtoWriter> _inputs = [];
    private readonly List<ProtoWriter> _outputs = [];
    private readonly List<ProtoWriter> _initializers = [];
    private readonly List<ProtoWriter> _nodes = [];
    private readonly List<ProtoWriter> _valueInfo = [];

    public OnnxGraphBuilder(string graphName = "robustcrop")
    {
        _graphName = graphName;
    }

    /// <summary>Dims accept fixed sizes, -1 for unknown, or a symbol such as "batch".</summary>
    public OnnxGraphBuilder AddInput(string name, params OnnxDim[] dims)
    {
        _inputs.Add(OnnxEncoding.ValueInfo(name, OnnxFields.ElemFloat, dims));
        return this;
    }

    public OnnxGraphBuilder AddOutput(string name, params OnnxDim[] dims)
    {
        _outputs.Add(OnnxEncoding.ValueInfo(name, OnnxFields.ElemFloat, dims));
        return this;
    }

    /// <summary>ONNX element type 2 (uint8): raw pixels, as a graph that normalises its own input takes them.</summary>
    public OnnxGraphBuilder AddByteInput(string name, params OnnxDim[] dims)
    {
        _inputs.Add(OnnxEncoding.ValueInfo(name, OnnxFields.ElemUint8, dims));
        return this;
    }

    /// <summary>ONNX element type 10 (float16) instead of float.</summary>
    public OnnxGraphBuilder AddHalfInput(string name, params OnnxDim[] dims)
    {
        _inputs.Add(OnnxEncoding.ValueInfo(name, OnnxFields.ElemFloat16, dims));
        return this;
    }

    public OnnxGraphBuilder AddHalfOutput(string name, params OnnxDim[] dims)
    {
        _outputs.Add(OnnxEncoding.ValueInfo(name, OnnxFields.ElemFloat16, dims));
        return this;
    }

    /// <summary>
    /// A float initializer whose bytes live in <paramref name="location"/> at <paramref name="offset"/> (as exporters write
    /// models over 2 GB): the tensor names the file, offset and length; the caller writes the bytes there.
    /// </summary>
    public OnnxGraphBuilder AddExternalInitializer(string name, long[] dims, string location, long offset)
    {
        long count = 1;
        foreach (long d in dims) count *= d;
        var w = new ProtoWriter();
        w.WritePackedInt64s(OnnxFields.TensorDims, dims);
        w.WriteVarint(OnnxFields.TensorDataType, OnnxFields.ElemFloat);
        w.WriteString(OnnxFields.TensorName, name);
        foreach (var (key, value) in new[] { ("location", location), ("offset", offset.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                     ("length", (count * 4).ToString(System.Globalization.CultureInfo.InvariantCulture)) })
        {
            var entry = new ProtoWriter();
            entry.WriteString(OnnxFields.EntryKey, key);
            entry.WriteString(OnnxFields.EntryValue, value);
            w.WriteMessage(OnnxFields.TensorExternalData, entry);
        }
        w.WriteVarint(OnnxFields.TensorDataLocation, OnnxFields.DataLocationExternal);
        _initializers.Add(w);
        return this;
    }

    /// <summary>Declares an intermediate tensor's shape, as exporters do; mostly useful to test surgery that drops them.</summary>
    public OnnxGraphBuilder AddValueInfo(string name, params OnnxDim[] dims)
    {
        _valueInfo.Add(OnnxEncoding.ValueInfo(name, OnnxFields.ElemFloat, dims));
        return this;
    }

    /// <param name="rawData">true stores raw_data (what PyTorch writes); false stores packed float_data (what CNTK wrote).</param>
    public OnnxGraphBuilder AddInitializer(string name, long[] dims, float[] data, bool rawData = true)
    {
        CheckCount(name, dims, data.Length);
        _initializers.Add(OnnxEncoding.FloatTensor(name, dims, data, rawData));
        return this;
    }

    /// <summary>Int64 tensors feed shape-like inputs such as Slice starts/ends or Reshape shapes.</summary>
    public OnnxGraphBuilder AddInt64Initializer(string name, long[] dims, long[] data)
    {
        CheckCount(name, dims, data.Length);
        _initializers.Add(OnnxEncoding.Int64Tensor(name, dims, data));
        return this;
    }

    public OnnxGraphBuilder AddNode(string opType, string[] inputs, string[] outputs, params OnnxAttribute[] attributes)
    {
        ArgumentException.ThrowIfNullOrEmpty(opType);
        _nodes.Add(OnnxEncoding.Node(opType, inputs, outputs, opType + "_" + _nodes.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), attributes));
        return this;
    }

    /// <summary>
    /// Nodes reading the first pixel of each [N,S,S,3] uint8 crop in <paramref name="crops"/> as floats [N,3] into
    /// <paramref name="output"/>: the near-zero-cost body of <c>bench</c>'s stand-in model (its initializers are named
    /// <c>first_pixel_*</c>).
    /// </summary>
    public OnnxGraphBuilder AddFirstPixel(string crops, string output) =>
        AddInt64Initializer("first_pixel_starts", [2], [0, 0])
            .AddInt64Initializer("first_pixel_ends", [2], [1, 1])
            .AddInt64Initializer("first_pixel_axes", [2], [1, 2])
            .AddNode("Slice", [crops, "first_pixel_starts", "first_pixel_ends", "first_pixel_axes"], ["first_pixel"])
            .AddNode("Cast", ["first_pixel"], ["first_pixel_float"], OnnxAttribute.Int("to", 1))
            .AddNode("Flatten", ["first_pixel_float"], [output], OnnxAttribute.Int("axis", 1));

    public byte[] ToBytes()
    {
        var graph = new ProtoWriter();
        foreach (ProtoWriter node in _nodes)
        {
            graph.WriteMessage(OnnxFields.GraphNode, node);
        }
        graph.WriteString(OnnxFields.GraphName, _graphName);
        foreach (ProtoWriter initializer in _initializers)
        {
            graph.WriteMessage(OnnxFields.GraphInitializer, initializer);
        }
        foreach (ProtoWriter input in _inputs)
        {
            graph.WriteMessage(OnnxFields.GraphInput, input);
        }
        foreach (ProtoWriter output in _outputs)
        {
            graph.WriteMessage(OnnxFields.GraphOutput, output);
        }
        foreach (ProtoWriter valueInfo in _valueInfo)
        {
            graph.WriteMessage(OnnxFields.GraphValueInfo, valueInfo);
        }

        var opset = new ProtoWriter(16);
        opset.WriteString(OnnxFields.OpsetDomain, "");
        opset.WriteVarint(OnnxFields.OpsetVersion, Opset);

        var model = new ProtoWriter(graph.Length + 64);
        model.WriteVarint(OnnxFields.ModelIrVersion, IrVersion);
        model.WriteString(OnnxFields.ModelProducerName, "RobustCrop.OnnxGraphBuilder");
        model.WriteMessage(OnnxFields.ModelGraph, graph);
        model.WriteMessage(OnnxFields.ModelOpsetImport, opset);
        return model.ToArray();
    }

    private static void CheckCount(string name, long[] dims, int count)
    {
        long expected = 1;
        foreach (long d in dims)
        {
            if (d < 0)
            {
                throw new ArgumentException($"initializer '{name}' has a negative dim", nameof(dims));
            }
            expected *= d;
        }
        if (expected != count)
        {
            throw new ArgumentException($"initializer '{name}' has {count} values for dims [{string.Join(",", dims)}]", nameof(dims));
        }
    }
}
