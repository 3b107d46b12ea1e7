using System.Text.Json;
using System.Text.Json.Serialization;
using RobustCrop.Core.Models;

namespace RobustCrop.IO.Models;

/// <summary>A class head's JSON file (linear, zero-shot or prototype weights, with the provenance of a fitted head).</summary>
public static class HeadFiles
{
    /// <summary>A JSON head file, a <c>.npy</c> zero-shot head with its class-names file (<see cref="NpyHead"/>), or a
    /// Parquet file of class embeddings (<see cref="ParquetHead"/>).</summary>
    public static ClassHead Load(string path, string? classesPath = null)
    {
        if (path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase)) return NpyHead.Load(path, classesPath);
        if (path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase)) return ParquetHead.Load(path);
        if (!File.Exists(path)) throw new ZooException($"head file not found: {path}");
        HeadFile? f;
        try { f = JsonSerializer.Deserialize<HeadFile>(File.ReadAllText(path), JsonOptions); }
        catch (JsonException e) { throw new ZooException($"head file {path} is not valid: {e.Message.Split('\n')[0]}"); }
        if (f?.Classes is null || f.Weights is null) throw new ZooException($"head file {path} lacks classes or weights");
        if (f.Weights.Length != f.Classes.Length) throw new ZooException($"head file {path}: {f.Weights.Length} weight rows for {f.Classes.Length} classes");
        int d = f.Weights[0].Length;
        if (f.Weights.Any(r => r.Length != d)) throw new ZooException($"head file {path}: weight rows differ in length");
        var kind = f.Kind switch
        {
            "linear" => HeadKind.Linear,
            "zero-shot" => HeadKind.ZeroShot,
            "prototype" => HeadKind.Prototype,
            _ => throw new ZooException($"head file {path}: kind '{f.Kind}' is not linear, zero-shot or prototype"),
        };
        return new ClassHead(kind, f.Classes, d, f.Weights.SelectMany(r => r).ToArray(), f.Bias, f.LogitScale ?? 10f);
    }

    /// <summary>A labels file (<see cref="ClassLabels"/>): one class per line, its dataset label first.</summary>
    public static ClassLabels LoadLabels(string path)
    {
        if (!File.Exists(path)) throw new ZooException($"labels file not found: {path}");
        try
        {
            return ClassLabels.Parse(File.ReadLines(path));
        }
        catch (ZooException e)
        {
            throw new ZooException($"{Path.GetFileName(path)}: {e.Message}");
        }
    }

    public static void Save(ClassHead head, string path, HeadProvenance provenance)
    {
        var f = new HeadFile
        {
            Kind = head.Kind switch { HeadKind.Linear => "linear", HeadKind.ZeroShot => "zero-shot", _ => "prototype" },
            Model = provenance.Model,
            FittedOn = provenance.FittedOn,
            Images = provenance.Images,
            Command = provenance.Command,
            Classes = head.Classes.ToArray(),
            LogitScale = head.LogitScale,
            Bias = head.Bias,
            Weights = Enumerable.Range(0, head.Classes.Count).Select(k => head.ClassVector(k).ToArray()).ToArray(),
        };
        File.WriteAllText(path, JsonSerializer.Serialize(f, JsonOptions));
    }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = false,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private sealed class HeadFile
    {
        public string? Kind { get; set; }
        public string? Model { get; set; }
        public string? FittedOn { get; set; }
        public int? Images { get; set; }
        public string? Command { get; set; }
        public string[]? Classes { get; set; }
        public float? LogitScale { get; set; }
        public float[]? Bias { get; set; }
        public float[][]? Weights { get; set; }
    }
}
