using System.Numerics.Tensors;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace RobustCrop.Core.Models;

public enum HeadKind { Linear, ZeroShot, Prototype }

/// <summary>
/// Turns a normalised embedding into classes (DESIGN §3). Linear: W·e + b. Zero-shot and prototype: cosine to each
/// class vector (rows are normalised at load), scaled by <see cref="LogitScale"/> so that softmax gives a usable confidence.
/// </summary>
public sealed class ClassHead
{
    private readonly float[] _weights; // K × D, row-major

    public ClassHead(HeadKind kind, IReadOnlyList<string> classes, int dimension, float[] weights, float[]? bias, float logitScale)
    {
        if (classes.Count == 0) throw new ZooException("head has no classes");
        if (weights.Length != classes.Count * dimension)
            throw new ZooException($"head weights hold {weights.Length} values, expected {classes.Count}x{dimension}");
        if (bias is not null && bias.Length != classes.Count) throw new ZooException($"head bias has {bias.Length} values, expected {classes.Count}");
        if (weights.Any(w => !float.IsFinite(w))) throw new ZooException("head weights contain NaN or infinity");
        Kind = kind;
        Classes = classes;
        Dimension = dimension;
        _weights = (float[])weights.Clone();
        Bias = bias;
        LogitScale = logitScale;
        if (kind != HeadKind.Linear)
            for (int k = 0; k < classes.Count; k++)
            {
                var row = _weights.AsSpan(k * dimension, dimension);
                float norm = TensorPrimitives.Norm(row);
                if (norm > 0) TensorPrimitives.Divide(row, norm, row);
            }
    }

    public HeadKind Kind { get; }
    public IReadOnlyList<string> Classes { get; }
    public int Dimension { get; }
    public float[]? Bias { get; }
    public float LogitScale { get; }

    public ReadOnlySpan<float> ClassVector(int k) => _weights.AsSpan(k * Dimension, Dimension);

    /// <summary>Writes the class logits of <paramref name="embedding"/> into <paramref name="logits"/> (length K).</summary>
    public void Logits(ReadOnlySpan<float> embedding, Span<float> logits)
    {
        if (embedding.Length != Dimension) throw new ArgumentException($"embedding has {embedding.Length} values, the head expects {Dimension}");
        float scale = Kind == HeadKind.Linear ? 1f : LogitScale;
        for (int k = 0; k < Classes.Count; k++)
            logits[k] = TensorPrimitives.Dot(ClassVector(k), embedding) * scale + (Bias?[k] ?? 0f);
    }

    public static ClassHead Load(string path)
    {
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

    public void Save(string path, HeadProvenance provenance)
    {
        var f = new HeadFile
        {
            Kind = Kind switch { HeadKind.Linear => "linear", HeadKind.ZeroShot => "zero-shot", _ => "prototype" },
            Model = provenance.Model,
            FittedOn = provenance.FittedOn,
            Images = provenance.Images,
            Command = provenance.Command,
            Classes = Classes.ToArray(),
            LogitScale = LogitScale,
            Bias = Bias,
            Weights = Enumerable.Range(0, Classes.Count).Select(k => ClassVector(k).ToArray()).ToArray(),
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

/// <summary>Where a fitted head came from, stored in its file so that it can be reproduced.</summary>
public sealed record HeadProvenance(string Model, string FittedOn, int Images, string Command);
