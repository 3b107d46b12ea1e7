using System.Text.Json;
using RobustCrop.Core.Data;

namespace RobustCrop.IO.Data;

/// <summary>One member of a WebDataset sample: its extension, its size as the header says, and its bytes when read.</summary>
internal sealed record TarMember(string Ext, long Length, byte[]? Data);

/// <summary>
/// The members of one WebDataset sample (adjacent tar members sharing a key: <c>000123.jpg</c>, <c>000123.cls</c>,
/// <c>000123.json</c>) and the record they make: the image, the label from <c>.cls</c> or the <c>.json</c>'s
/// <c>label</c>/<c>cls</c> field, img2dataset's metadata from the <c>.json</c> (and <c>.txt</c> caption), or one error row.
/// </summary>
internal sealed class WebDatasetSample(string key)
{
    private string? _broken;

    public string Key { get; } = key;
    public List<TarMember> Members { get; } = [];

    /// <summary>The tar broke inside this sample: it is one error row saying so, whatever else it holds.</summary>
    public void MarkBroken(string reason) => _broken ??= reason;

    public ImageRecord ToRecord(string keyPrefix, long maxBytes, bool duplicate)
    {
        string recordKey = keyPrefix + Key;
        string? label = Label();
        var meta = Metadata();
        if (_broken is not null)
            return new ImageRecord(recordKey, label, null, null, _broken, meta);
        if (duplicate)
            return new ImageRecord(recordKey, label, null, null, "duplicate sample key: the members of a sample must be adjacent in the tar", meta);
        var image = Members.FirstOrDefault(m => ImageFolderDataset.ImageExtensions.Contains(m.Ext));
        if (image is null)
        {
            string found = string.Join(", ", Members.Select(m => m.Ext.Length == 0 ? "(no extension)" : m.Ext));
            return new ImageRecord(recordKey, label, null, null, $"no image member (found: {found})", meta);
        }
        if (image.Length > maxBytes || image.Data is null)
            return new ImageRecord(recordKey, label, null, null, $"{image.Ext} member is {image.Length} bytes, over the {maxBytes}-byte limit", meta);
        return new ImageRecord(recordKey, label, image.Data, null, Metadata: meta);
    }

    /// <summary>img2dataset's per-sample .json (url, caption, key, width, height, status); the caption falls back to the
    /// .txt member. Null when the sample has neither; a broken .json keeps the image.</summary>
    private SampleMetadata? Metadata()
    {
        var json = Members.FirstOrDefault(m => m.Ext == "json")?.Data;
        var txt = Members.FirstOrDefault(m => m.Ext == "txt")?.Data;
        string? caption = txt is null ? null : System.Text.Encoding.UTF8.GetString(txt);
        if (json is null) return caption is null ? null : new SampleMetadata(null, caption, null, null, null, null);
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return null;
            string? Text(string name) => root.TryGetProperty(name, out var v) ? v.ValueKind switch
            {
                JsonValueKind.String => v.GetString(),
                JsonValueKind.Number => v.GetRawText(),
                _ => null,
            } : null;
            int? Int(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i) ? i : null;
            return new SampleMetadata(Text("url"), Text("caption") ?? caption, Text("key"), Int("width"), Int("height"), Text("status"));
        }
        catch (JsonException)
        {
            return caption is null ? null : new SampleMetadata(null, caption, null, null, null, null);
        }
    }

    private string? Label()
    {
        var cls = Members.FirstOrDefault(m => m.Ext == "cls");
        if (cls?.Data is { } clsData)
        {
            string text = System.Text.Encoding.UTF8.GetString(clsData).Trim();
            if (text.Length > 0)
                return text;
        }
        var json = Members.FirstOrDefault(m => m.Ext == "json");
        return json?.Data is { } jsonData ? JsonLabel(jsonData) : null;
    }

    private static string? JsonLabel(byte[] data)
    {
        try
        {
            using var doc = JsonDocument.Parse(data);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                return null;
            foreach (string field in (string[])["label", "cls"])
            {
                if (!doc.RootElement.TryGetProperty(field, out var value))
                    continue;
                return value.ValueKind switch
                {
                    JsonValueKind.String => value.GetString(),
                    JsonValueKind.Number => value.GetRawText(),
                    _ => null,
                };
            }
            return null;
        }
        catch (JsonException)
        {
            // A broken .json side file loses the label but not the image.
            return null;
        }
    }
}
