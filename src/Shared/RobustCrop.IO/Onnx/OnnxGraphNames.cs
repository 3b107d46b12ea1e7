namespace RobustCrop.IO.Onnx;

/// <summary>Name bookkeeping shared by the rewrites that insert nodes in front of a graph's input.</summary>
internal static class OnnxGraphNames
{
    /// <summary>Every tensor and node name in the graph (so new names cannot collide), and its first non-initializer input.</summary>
    public static HashSet<string> Used(ReadOnlySpan<byte> graph, out OnnxTensorInfo? input)
    {
        HashSet<string> initializers = OnnxEncoding.InitializerNames(graph);
        var usedNames = new HashSet<string>(initializers, StringComparer.Ordinal);
        input = null;
        var gr = new ProtoReader(graph);
        while (gr.TryRead(out ProtoField f))
        {
            if (f.FieldNumber == OnnxFields.GraphInput && f.WireType == WireType.LengthDelimited)
            {
                OnnxTensorInfo info = OnnxEncoding.ReadValueInfo(f.Payload);
                usedNames.Add(info.Name);
                if (input is null && !initializers.Contains(info.Name))
                {
                    input = info;
                }
            }
            else if (f.FieldNumber == OnnxFields.GraphNode && f.WireType == WireType.LengthDelimited)
            {
                var nr = new ProtoReader(f.Payload);
                while (nr.TryRead(out ProtoField nf))
                {
                    if ((nf.FieldNumber == OnnxFields.NodeOutput || nf.FieldNumber == OnnxFields.NodeName) && nf.WireType == WireType.LengthDelimited)
                    {
                        usedNames.Add(nf.String);
                    }
                }
            }
        }
        return usedNames;
    }

    public static bool ReadsInput(ReadOnlySpan<byte> node, string name)
    {
        var r = new ProtoReader(node);
        while (r.TryRead(out ProtoField f))
        {
            if (f.FieldNumber == OnnxFields.NodeInput && f.WireType == WireType.LengthDelimited && f.String == name)
            {
                return true;
            }
        }
        return false;
    }

    public static string Unique(string candidate, HashSet<string> used)
    {
        string name = candidate;
        for (int i = 1; used.Contains(name); i++)
        {
            name = candidate + "_" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        used.Add(name);
        return name;
    }

    // Subgraph bodies (If/Loop attributes) keep reading the original input; image classifiers do not use them.
    public static ProtoWriter RenameNodeInputs(ReadOnlySpan<byte> node, string from, string to)
    {
        var w = new ProtoWriter(node.Length + 32);
        var r = new ProtoReader(node);
        while (r.TryRead(out ProtoField f))
        {
            if (f.FieldNumber == OnnxFields.NodeInput && f.WireType == WireType.LengthDelimited && f.String == from)
            {
                w.WriteString(OnnxFields.NodeInput, to);
            }
            else
            {
                w.WriteRaw(f.Raw);
            }
        }
        return w;
    }
}
