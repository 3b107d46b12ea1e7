using RobustCrop.Core.Imaging;
using RobustCrop.Core.Models;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace RobustCrop.IO.Models;

/// <summary>
/// Reads a zoo (YAML or JSON — JSON is YAML) into validated manifests. Relative paths resolve against the zoo file's folder;
/// "builtin:" paths resolve against the folder of models shipped with the program.
/// </summary>
public static class ZooFile
{
    public const string BuiltinPrefix = "builtin:";

    /// <summary>Bounds on what a manifest may ask, so a typo fails here rather than as an overflow deep in a worker.</summary>
    public const int MaxResize = 65_536, MaxMargin = 1024, MaxLowPassRadius = Onnx.OnnxModelSurgery.MaxRadius;

    public static IReadOnlyList<ModelManifest> Load(string path, string builtinModelsDir)
    {
        if (!File.Exists(path)) throw new ZooException($"zoo file not found: {path}");
        return Parse(File.ReadAllText(path), Path.GetDirectoryName(Path.GetFullPath(path))!, builtinModelsDir, path);
    }

    public static IReadOnlyList<ModelManifest> Parse(string yaml, string baseDir, string builtinModelsDir, string sourceName = "zoo")
    {
        ZooDto dto;
        try
        {
            dto = new DeserializerBuilder()
                .WithNamingConvention(UnderscoredNamingConvention.Instance)
                .Build()
                .Deserialize<ZooDto>(yaml) ?? new ZooDto();
        }
        catch (YamlException e)
        {
            throw new ZooException($"{sourceName}: invalid zoo file at line {e.Start.Line}: {FirstLine(e.InnerException?.Message ?? e.Message)}");
        }
        if (dto.Models is not { Count: > 0 }) throw new ZooException($"{sourceName}: no models listed");
        var result = new List<ModelManifest>();
        foreach (var m in dto.Models)
        {
            var manifest = ToManifest(m, baseDir, builtinModelsDir, sourceName);
            if (result.Any(r => r.Id == manifest.Id)) throw new ZooException($"{sourceName}: model id '{manifest.Id}' is listed twice");
            result.Add(manifest);
        }
        return result;
    }

    public static string ResolvePath(string path, string baseDir, string builtinModelsDir)
    {
        string file = path, suffix = "";
        int hash = path.IndexOf('#');
        if (hash >= 0) { file = path[..hash]; suffix = path[hash..]; }
        string full = file.StartsWith(BuiltinPrefix, StringComparison.Ordinal)
            ? Path.Combine(builtinModelsDir, file[BuiltinPrefix.Length..])
            : Path.GetFullPath(Path.Combine(baseDir, file));
        return full + suffix;
    }

    private static ModelManifest ToManifest(ModelDto m, string baseDir, string builtin, string src)
    {
        string id = m.Id ?? throw new ZooException($"{src}: a model has no id");
        if (id.Length == 0 || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            throw new ZooException($"{src}: model id '{id}' may hold only letters, digits, '-', '_' and '.'");
        string where = $"{src}: model {id}";
        if (string.IsNullOrWhiteSpace(m.Onnx)) throw new ZooException($"{where}: no onnx path");
        var preset = m.Preset is null ? null : ZooPresets.Find(m.Preset)
            ?? throw new ZooException($"{where}: preset '{m.Preset}' is not one of {string.Join(", ", ZooPresets.Names)}");
        int size = m.Input?.Size ?? preset?.InputSize ?? throw new ZooException($"{where}: no input.size");
        if (size is < 8 or > 4096) throw new ZooException($"{where}: input.size {size} is out of range 8..4096");
        if (m.Resize?.CropPct is double pct && !(pct > 0 && pct <= 1))
            throw new ZooException($"{where}: resize.crop_pct {pct} must be in (0, 1] (input.size / resize.size, e.g. 0.875)");
        if (m.Resize?.Size is int given && given is < 1 or > MaxResize)
            throw new ZooException($"{where}: resize.size {given} is out of range 1..{MaxResize}");
        int native = m.Resize?.Size ?? (int)Math.Round(size / (m.Resize?.CropPct ?? preset?.CropPct ?? 0.875));
        if (native < size) throw new ZooException($"{where}: resize.size {native} is smaller than input.size {size}");
        int? margin = m.Resize?.Margin;
        if (margin is < 0 or > MaxMargin) throw new ZooException($"{where}: resize.margin {margin} is out of range 0..{MaxMargin}");
        // A margin measures the model on a slightly wider view (C + 2m) than its native preprocessing, so a
        // crop_pct-1.0 model has room for the shifts; the native resize is kept for the record.
        int resize = margin is int mg ? size + 2 * mg : native;
        var interp = ParseEnum<Interpolation>(m.Resize?.Interpolation ?? preset?.Interpolation ?? "bilinear", where, "resize.interpolation");
        var n = m.Normalization ?? new NormalizationDto();
        var order = ParseEnum<ChannelOrder>(n.ChannelOrder ?? "rgb", where, "normalization.channel_order");
        float scale = n.Scale ?? 1f / 255f;
        float[] mean = n.Mean ?? (n.MeanImage is null ? preset?.Mean ?? ZooPresets.ImageNetMean : [0f, 0f, 0f]);
        float[] std = n.Std ?? (n.MeanImage is null ? preset?.Std ?? ZooPresets.ImageNetStd : [1f, 1f, 1f]);
        if (mean.Length != 3 || std.Length != 3) throw new ZooException($"{where}: normalization.mean and .std need 3 values");
        if (std.Any(s => !(s > 0))) throw new ZooException($"{where}: normalization.std must be positive");
        var kind = ParseEnum<OutputKind>(m.Output?.Kind ?? preset?.Output ?? "logits", where, "output.kind");
        float? sigma = m.Lowpass?.Sigma;
        if (sigma is <= 0) throw new ZooException($"{where}: lowpass.sigma must be positive");
        int radius = m.Lowpass?.Radius ?? (sigma is float s ? Onnx.OnnxModelSurgery.DefaultRadius(s) : 0);
        if (sigma is not null && radius is < 1 or > MaxLowPassRadius)
            throw new ZooException($"{where}: lowpass.radius {radius} is out of range 1..{MaxLowPassRadius} (the largest kernel the low-pass rewrite builds)");
        var layout = ParseEnum<TensorLayout>(m.Input?.Layout ?? "nchw", where, "input.layout");
        var type = ParseElementType(m.Input?.Type, where);
        if (sigma is not null && (layout != TensorLayout.Nchw || type != InputElementType.Float32))
            throw new ZooException($"{where}: lowpass needs an nchw float32 input (the rewrite adds a float NCHW convolution)");
        // The crop bytes go in as they are: no normalisation is prepended, so one given would be silently unused.
        if (type == InputElementType.UInt8 && layout != TensorLayout.Nhwc)
            throw new ZooException($"{where}: input.type uint8 takes the crops as [N,S,S,3] bytes; set input.layout: nhwc");
        if (type == InputElementType.UInt8 && m.Normalization is not null)
            throw new ZooException($"{where}: input.type uint8 feeds the crop bytes as they are (R,G,B 0..255); remove normalization");
        var pool = ParseEnum<EmbeddingPool>(m.Output?.Pool ?? "cls", where, "output.pool");
        if (m.Output?.Name is "") throw new ZooException($"{where}: output.name is empty");
        var appliesTo = m.Head?.AppliesTo ?? [];
        if (m.Head is not null && m.Head.Path is null) throw new ZooException($"{where}: head has no path");
        if (appliesTo.Any(string.IsNullOrWhiteSpace)) throw new ZooException($"{where}: head.applies_to has an empty dataset name");
        return new ModelManifest(
            id,
            ResolvePath(m.Onnx, baseDir, builtin),
            m.Input?.Name,
            size,
            resize,
            interp,
            order,
            scale,
            mean,
            std,
            n.MeanImage is null ? null : ResolvePath(n.MeanImage, baseDir, builtin),
            kind,
            m.Head?.Path is null ? null : ResolvePath(m.Head.Path, baseDir, builtin),
            sigma,
            radius)
        {
            NativeResizeSize = margin is null ? null : native,
            HeadAppliesTo = appliesTo,
            HeadClassesPath = m.Head?.Classes is null ? null : ResolvePath(m.Head.Classes, baseDir, builtin),
            LabelsPath = m.Labels is null ? null : ResolvePath(m.Labels, baseDir, builtin),
            InputLayout = layout,
            InputType = type,
            OutputName = m.Output?.Name,
            OutputPool = pool,
        };
    }

    private static T ParseEnum<T>(string text, string where, string field) where T : struct, Enum
        => Enum.TryParse<T>(text.Replace("-", "", StringComparison.Ordinal), ignoreCase: true, out var v)
            ? v
            : throw new ZooException($"{where}: {field} '{text}' is not one of {string.Join(", ", Enum.GetNames<T>().Select(x => x.ToLowerInvariant()))}");

    // Exporters and users spell these several ways (numpy's float16, torch's half, ONNX's FLOAT16).
    private static InputElementType ParseElementType(string? text, string where) => text?.ToLowerInvariant() switch
    {
        null or "float32" or "float" or "fp32" => InputElementType.Float32,
        "float16" or "fp16" or "half" => InputElementType.Float16,
        "uint8" => InputElementType.UInt8,
        _ => throw new ZooException($"{where}: input.type '{text}' is not one of float32, float16, uint8"),
    };

    private static string FirstLine(string s) => s.Split('\n')[0].Trim();

    private sealed class ZooDto { public List<ModelDto>? Models { get; set; } }

    private sealed class ModelDto
    {
        public string? Id { get; set; }
        public string? Onnx { get; set; }
        public string? Preset { get; set; }
        public InputDto? Input { get; set; }
        public ResizeDto? Resize { get; set; }
        public NormalizationDto? Normalization { get; set; }
        public OutputDto? Output { get; set; }
        public HeadDto? Head { get; set; }
        public string? Labels { get; set; }
        public LowpassDto? Lowpass { get; set; }
        public string? Description { get; set; }
    }

    private sealed class InputDto
    {
        public string? Name { get; set; }
        public int? Size { get; set; }
        public string? Layout { get; set; }
        public string? Type { get; set; }
    }
    private sealed class ResizeDto
    {
        public int? Size { get; set; }
        public double? CropPct { get; set; }
        public string? Interpolation { get; set; }
        public int? Margin { get; set; }
    }
    private sealed class NormalizationDto
    {
        public string? ChannelOrder { get; set; }
        public float? Scale { get; set; }
        public float[]? Mean { get; set; }
        public float[]? Std { get; set; }
        public string? MeanImage { get; set; }
    }
    private sealed class OutputDto
    {
        public string? Kind { get; set; }
        public string? Name { get; set; }
        public string? Pool { get; set; }
    }
    private sealed class LowpassDto { public float? Sigma { get; set; } public int? Radius { get; set; } }
}
