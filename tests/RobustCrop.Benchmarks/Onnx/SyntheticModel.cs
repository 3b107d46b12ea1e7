using Google.Protobuf;
using RobustCrop.Benchmarks.Onnx.Generated;

namespace RobustCrop.Benchmarks.Onnx;

/// <summary>
/// A large model for the read benchmark: the shipped ResNet18 with extra float initializers of embedded raw_data (no
/// external data), as a ViT-L or a ConvNeXt-L export carries 300-800 MB. One buffer backs every extra tensor, so making
/// the file costs its size on disk, not in memory.
/// </summary>
public static class SyntheticModel
{
    public static void Write(string resnet, string path, int tensors, int megabytesEach)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tensors);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(megabytesEach);
        ModelProto model;
        using (var input = File.OpenRead(resnet)) model = ModelProto.Parser.ParseFrom(input);
        var weights = new byte[megabytesEach << 20];
        new Random(7).NextBytes(weights);
        var raw = UnsafeByteOperations.UnsafeWrap(weights);
        for (int i = 0; i < tensors; i++)
        {
            var tensor = new TensorProto { Name = $"synthetic_weight_{i}", DataType = 1, RawData = raw };
            tensor.Dims.Add(weights.Length / 4);
            model.Graph.Initializer.Add(tensor);
        }
        using var output = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        model.WriteTo(output);
    }

    /// <summary>
    /// ResNet18's graph as <see cref="IO.Onnx.OnnxGraphFile"/> would return it if it also referenced packed float_data
    /// (the shipped ResNet18 keeps every weight there, so today's pass returns all 63 MB): each float_data tensor becomes
    /// an external-data reference, leaving kilobytes.
    /// </summary>
    public static byte[] WeightlessGraph(string resnet)
    {
        ModelProto model;
        using (var input = File.OpenRead(resnet)) model = ModelProto.Parser.ParseFrom(input);
        foreach (var tensor in model.Graph.Initializer.Where(t => t.FloatData.Count * 4 >= IO.Onnx.OnnxGraphFile.MinReferencedBytes))
        {
            tensor.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = Path.GetFileName(resnet) });
            tensor.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = (tensor.FloatData.Count * 4).ToString(System.Globalization.CultureInfo.InvariantCulture) });
            tensor.DataLocation = TensorProto.Types.DataLocation.External;
            tensor.FloatData.Clear();
        }
        return model.ToByteArray();
    }
}
