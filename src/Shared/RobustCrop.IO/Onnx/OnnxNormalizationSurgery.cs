namespace RobustCrop.IO.Onnx;

/// <summary>What <see cref="OnnxNormalizationSurgery.Prepend"/> builds into the graph: value = p·Scale/std − mean/std − meanImage/std.</summary>
/// <param name="Bgr">Whether the model's channel 0 is blue (the crop bytes are always R,G,B).</param>
/// <param name="Mean">Per model channel.</param>
/// <param name="Std">Per model channel.</param>
/// <param name="MeanImage">Null, or CHW in model channel order, one value per input pixel and channel.</param>
public sealed record InGraphNormalization(bool Bgr, float Scale, float[] Mean, float[] Std, float[]? MeanImage = null);

/// <summary>
/// Moves a model's input normalisation into its graph: the input becomes the crop as the scene stores it, uint8
/// [N,S,S,3] (R,G,B interleaved), and a few nodes turn it into the float tensor the model was exported for. The worker
/// then ships a quarter of the bytes and does no float work per pixel; on a GPU the arithmetic is free.
/// </summary>
/// <remarks>
/// Only nodes and small initializers are added and the input's declared type changes; weights are copied byte for byte
/// (so external-data models still load by reference). The constants are those of the CPU crop writer's table
/// (Scale/std and mean/std in float32, the mean image times 1/std), so outputs match the CPU path to float rounding.
/// </remarks>
public static class OnnxNormalizationSurgery
{
    public static byte[] Prepend(byte[] model, InGraphNormalization norm, bool nhwc, bool float16)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(norm);
        if (norm.Mean.Length != 3 || norm.Std.Length != 3) throw new ArgumentException("mean and std need 3 values each", nameof(norm));

        ReadOnlySpan<byte> graph = OnnxEncoding.Graph(model, out int graphOffset);
        var usedNames = OnnxGraphNames.Used(graph, out OnnxTensorInfo? input);
        if (input is null) throw new InvalidDataException("ONNX model has no non-initializer graph input to normalise");
        int channelAxis = nhwc ? 3 : 1;
        if (input.Dims.Count != 4 || input.Dims[channelAxis].Value is not 3)
            throw new InvalidDataException($"normalisation in the graph needs a 3-channel {(nhwc ? "[N,S,S,3]" : "[N,3,S,S]")} input; '{input.Name}' is {input.Shape}");
        OnnxDim h = input.Dims[nhwc ? 1 : 2], w = input.Dims[nhwc ? 2 : 3];
        int? plane = h.Value is long hv && w.Value is long wv ? checked((int)(hv * wv)) : null;
        if (norm.MeanImage is { } mi && (plane is null || mi.Length != 3 * plane))
            throw new InvalidDataException($"mean image has {mi.Length} values; input '{input.Name}' is {input.Shape}");

        string Name(string suffix) => OnnxGraphNames.Unique(input.Name + "_" + suffix, usedNames);
        var nodes = new List<ProtoWriter>();
        var inits = new List<ProtoWriter>();
        string current = input.Name;
        string Add(string op, string suffix, IReadOnlyList<string> extraInputs, params OnnxAttribute[] attributes)
        {
            string output = Name(suffix);
            nodes.Add(OnnxEncoding.Node(op, [current, .. extraInputs], [output], Name(suffix + "_node"), attributes));
            current = output;
            return output;
        }

        Add("Cast", "as_float", [], OnnxAttribute.Int("to", OnnxFields.ElemFloat));
        if (!nhwc) Add("Transpose", "nchw", [], OnnxAttribute.Ints("perm", 0, 3, 1, 2));
        if (norm.Bgr)
        {
            // A data permutation, not a constant one: model channel c reads byte channel 2 − c.
            string order = Name("bgr_indices");
            inits.Add(OnnxEncoding.Int64Tensor(order, [3], [2, 1, 0]));
            Add("Gather", "bgr", [order], OnnxAttribute.Int("axis", channelAxis));
        }
        long[] perChannel = nhwc ? [1, 1, 1, 3] : [1, 3, 1, 1];
        float[] scale = new float[3], offset = new float[3];
        for (int c = 0; c < 3; c++)
        {
            // The crop writer's table entries, p * (Scale / std) - mean / std, in the same float32 operations.
            scale[c] = norm.Scale / norm.Std[c];
            offset[c] = norm.Mean[c] / norm.Std[c];
        }
        string scaleName = Name("scale"), offsetName = Name("offset");
        inits.Add(OnnxEncoding.FloatTensor(scaleName, perChannel, scale, rawData: true));
        inits.Add(OnnxEncoding.FloatTensor(offsetName, perChannel, offset, rawData: true));
        Add("Mul", "scaled", [scaleName]);
        Add("Sub", "centred", [offsetName]);
        if (norm.MeanImage is { } meanImage)
        {
            string meanName = Name("mean_image");
            float[] scaled = ScaledMeanImage(meanImage, norm.Std, plane!.Value, nhwc);
            long[] dims = nhwc ? [1, h.Value!.Value, w.Value!.Value, 3] : [1, 3, h.Value!.Value, w.Value!.Value];
            inits.Add(OnnxEncoding.FloatTensor(meanName, dims, scaled, rawData: true));
            Add("Sub", "mean_subtracted", [meanName]);
        }
        if (float16) Add("Cast", "as_half", [], OnnxAttribute.Int("to", OnnxFields.ElemFloat16));

        OnnxDim[] byteDims = [input.Dims[0], h, w, new OnnxDim(3, null)];
        return Splice(model, graph, graphOffset, input.Name, current, nodes, inits,
            OnnxEncoding.ValueInfo(input.Name, OnnxFields.ElemUint8, byteDims));
    }

    // meanImage[c, p] * (1 / std[c]), laid out as the model's input (CHW, or HWC for NHWC models).
    private static float[] ScaledMeanImage(float[] meanImage, float[] std, int plane, bool nhwc)
    {
        var result = new float[3 * plane];
        for (int c = 0; c < 3; c++)
        {
            float inv = 1f / std[c];
            for (int p = 0; p < plane; p++) result[nhwc ? 3 * p + c : c * plane + p] = meanImage[c * plane + p] * inv;
        }
        return result;
    }

    // New nodes first (the graph stays topologically sorted), the old consumers reading the normalised tensor, the
    // graph input replaced by its uint8 declaration, the new initializers last.
    private static byte[] Splice(byte[] model, ReadOnlySpan<byte> graph, int graphOffset, string inputName, string normalised,
        List<ProtoWriter> nodes, List<ProtoWriter> inits, ProtoWriter inputInfo)
    {
        var splice = new SpliceBuilder(model);
        var head = new ProtoWriter();
        foreach (ProtoWriter n in nodes) head.WriteMessage(OnnxFields.GraphNode, n);
        splice.Bytes(head.WrittenSpan);
        bool inputDone = false;
        var r = new ProtoReader(graph);
        while (r.TryRead(out ProtoField f))
        {
            bool ld = f.WireType == WireType.LengthDelimited;
            if (ld && f.FieldNumber == OnnxFields.GraphNode && OnnxGraphNames.ReadsInput(f.Payload, inputName))
            {
                var node = new ProtoWriter(f.Raw.Length + 32);
                node.WriteMessage(OnnxFields.GraphNode, OnnxGraphNames.RenameNodeInputs(f.Payload, inputName, normalised));
                splice.Bytes(node.WrittenSpan);
            }
            else if (ld && !inputDone && f.FieldNumber == OnnxFields.GraphInput && OnnxEncoding.ReadStringField(f.Payload, OnnxFields.ValueInfoName) == inputName)
            {
                inputDone = true;
                var w = new ProtoWriter();
                w.WriteMessage(OnnxFields.GraphInput, inputInfo);
                splice.Bytes(w.WrittenSpan);
            }
            else
            {
                splice.Source(graphOffset + f.Offset, f.Raw.Length);
            }
        }
        var tail = new ProtoWriter();
        foreach (ProtoWriter t in inits) tail.WriteMessage(OnnxFields.GraphInitializer, t);
        splice.Bytes(tail.WrittenSpan);

        var output = new SpliceBuilder(model);
        var mr = new ProtoReader(model);
        while (mr.TryRead(out ProtoField f))
        {
            if (f.FieldNumber == OnnxFields.ModelGraph && f.WireType == WireType.LengthDelimited) output.Message(OnnxFields.ModelGraph, splice);
            else output.Source(f.Offset, f.Raw.Length);
        }
        return output.ToArray();
    }
}
