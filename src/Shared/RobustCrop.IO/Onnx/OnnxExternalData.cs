using System.Globalization;

namespace RobustCrop.IO.Onnx;

/// <summary>Where one initializer's bytes live when the model keeps them outside the .onnx file.</summary>
public sealed record ExternalTensor(string Initializer, string Location, long Offset, long? Length);

/// <summary>
/// Reads the external-data references of a model (TensorProto.external_data: location, offset, length; onnx.proto) and
/// checks them against the files next to the model. Exporters write every model over 2 GB this way (the protobuf limit),
/// with the weights in <c>model.onnx.data</c> or one file per tensor; only the small graph file is ever read here.
/// </summary>
public static class OnnxExternalData
{
    public static IReadOnlyList<ExternalTensor> References(ReadOnlySpan<byte> model)
    {
        var result = new List<ExternalTensor>();
        var r = new ProtoReader(OnnxEncoding.Graph(model));
        while (r.TryRead(out ProtoField f))
        {
            if (f.FieldNumber == OnnxFields.GraphInitializer && f.WireType == WireType.LengthDelimited && Read(f.Payload) is ExternalTensor t)
            {
                result.Add(t);
            }
        }
        return result;
    }

    /// <summary>
    /// The first reference that the files in <paramref name="folder"/> cannot satisfy, as a sentence naming the file
    /// ("external data file 'model.onnx.data' (initializer 'w') is missing in &lt;folder&gt;"); null when all are there.
    /// </summary>
    public static string? FirstProblem(IReadOnlyList<ExternalTensor> references, string folder)
    {
        ArgumentNullException.ThrowIfNull(references);
        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var t in references)
        {
            string where = $"external data file '{t.Location}' (initializer '{t.Initializer}')";
            // ONNX Runtime refuses locations that leave the model's folder; say so here, before a session is tried.
            if (Path.IsPathRooted(t.Location) || t.Location.Split('/', '\\').Contains(".."))
                return $"{where} must be a path relative to the model's folder";
            if (!sizes.TryGetValue(t.Location, out long size))
            {
                var file = new FileInfo(Path.Combine(folder, t.Location));
                if (!file.Exists) return $"{where} is missing in {folder}";
                sizes[t.Location] = size = file.Length;
            }
            long end = t.Offset + (t.Length ?? 0);
            if (t.Offset < 0 || t.Length < 0 || end > size)
                return $"{where} is {size} bytes, the model reads up to byte {end}";
        }
        return null;
    }

    private static ExternalTensor? Read(ReadOnlySpan<byte> tensor)
    {
        string name = "";
        bool external = false;
        string? location = null;
        long offset = 0;
        long? length = null;
        var r = new ProtoReader(tensor);
        while (r.TryRead(out ProtoField f))
        {
            if (f.FieldNumber == OnnxFields.TensorName && f.WireType == WireType.LengthDelimited)
            {
                name = f.String;
            }
            else if (f.FieldNumber == OnnxFields.TensorDataLocation && f.WireType == WireType.Varint)
            {
                external = f.Int64 == OnnxFields.DataLocationExternal;
            }
            else if (f.FieldNumber == OnnxFields.TensorExternalData && f.WireType == WireType.LengthDelimited)
            {
                string? key = OnnxEncoding.ReadStringField(f.Payload, OnnxFields.EntryKey);
                string value = OnnxEncoding.ReadStringField(f.Payload, OnnxFields.EntryValue) ?? "";
                switch (key)
                {
                    case "location": location = value; break;
                    case "offset": offset = ParseLong(value, name, key); break;
                    case "length": length = ParseLong(value, name, key); break;
                }
            }
        }
        if (!external) return null;
        if (string.IsNullOrEmpty(location)) throw new InvalidDataException($"initializer '{name}' is external but names no location");
        return new ExternalTensor(name, location, offset, length);
    }

    private static long ParseLong(string value, string name, string key) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long v)
            ? v
            : throw new InvalidDataException($"initializer '{name}' has external_data {key} '{value}', not a number");
}
