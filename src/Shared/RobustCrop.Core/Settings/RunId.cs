using System.Text.Json;
using System.Text.Json.Serialization;
using RobustCrop.Core.Results;

namespace RobustCrop.Core.Settings;

/// <summary>
/// A run's name: one path segment in every store (letters, digits, '-', '_', '.'), so it is checked once, where it is
/// made, instead of wherever a string happens to be used as a folder.
/// </summary>
[JsonConverter(typeof(RunIdJsonConverter))]
public readonly record struct RunId
{
    public RunId(string value)
    {
        if (!RunLayout.IsValidId(value))
            throw new ArgumentException($"run id '{value}' may hold only letters, digits, '-', '_' and '.'", nameof(value));
        Value = value;
    }

    public string Value { get; }

    public static bool IsValid(string? value) => RunLayout.IsValidId(value);

    public override string ToString() => Value;
}

/// <summary>A run id is a plain JSON string on the wire and in files, like every other id.</summary>
public sealed class RunIdJsonConverter : JsonConverter<RunId>
{
    public override RunId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        string? value = reader.GetString();
        try { return new RunId(value ?? ""); }
        catch (ArgumentException e) { throw new JsonException(e.Message, e); }
    }

    public override void Write(Utf8JsonWriter writer, RunId value, JsonSerializerOptions options) => writer.WriteStringValue(value.Value);
}
