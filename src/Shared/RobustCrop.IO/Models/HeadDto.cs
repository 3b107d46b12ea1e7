using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace RobustCrop.IO.Models;

/// <summary>
/// A zoo's <c>head:</c> entry: either the head file's path alone (<c>head: heads/x.json</c>, every input) or a mapping
/// <c>{ path: heads/x.json, applies_to: [fashion-mnist] }</c> naming the datasets the head was fitted for.
/// </summary>
internal sealed class HeadDto : IYamlConvertible
{
    public string? Path { get; set; }

    public List<string>? AppliesTo { get; set; }

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
    }

    public void Write(IEmitter emitter, ObjectSerializer nestedObjectSerializer)
        => nestedObjectSerializer(new HeadMapDto { Path = Path, AppliesTo = AppliesTo });

    private sealed class HeadMapDto
    {
        public string? Path { get; set; }
        public List<string>? AppliesTo { get; set; }
    }
}
