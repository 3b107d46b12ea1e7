using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace RobustCrop.IO.Models;

/// <summary>
/// A zoo's <c>head:</c> entry: either the head file's path alone (<c>head: heads/x.json</c>, every input) or a mapping
/// <c>{ path: heads/x.json, applies_to: [fashion-mnist] }</c> naming the datasets the head was fitted for; a
/// <c>.npy</c> zero-shot head also names its class-names file (<c>classes: heads/x-classes.txt</c>); a <c>.parquet</c> head
/// holds its class names itself (a <c>class</c> column beside the <c>embedding</c> list column).
/// </summary>
internal sealed class HeadDto : IYamlConvertible
{
    public string? Path { get; set; }

    public List<string>? AppliesTo { get; set; }

    /// <summary>Class names of a .npy zero-shot head.</summary>
    public string? Classes { get; set; }

    public void Read(IParser parser, Type expectedType, ObjectDeserializer nestedObjectDeserializer)
    {
        if (parser.TryConsume<Scalar>(out var scalar))
        {
            Path = scalar.Value;
            return;
        }
        var map = (HeadMapDto?)nestedObjectDeserializer(typeof(HeadMapDto));
        Path = map?.Path;
        AppliesTo = map?.AppliesTo;
        Classes = map?.Classes;
    }

    public void Write(IEmitter emitter, ObjectSerializer nestedObjectSerializer)
        => nestedObjectSerializer(new HeadMapDto { Path = Path, AppliesTo = AppliesTo, Classes = Classes });

    private sealed class HeadMapDto
    {
        public string? Path { get; set; }
        public List<string>? AppliesTo { get; set; }
        public string? Classes { get; set; }
    }
}
