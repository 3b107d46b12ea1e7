using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Parquet;
using Parquet.Schema;

namespace RobustCrop.Coordinator.Rehearsal;

/// <summary>
/// One shard as img2dataset writes it: <c>NNNNN.tar</c> (per sample <c>KEY.jpg</c> and <c>KEY.json</c>),
/// <c>NNNNN.parquet</c> (one row per sample tried, with its status) and <c>NNNNN_stats.json</c>. Corrupt samples are in
/// the tar as "success", as a download that img2dataset could not tell was damaged.
/// </summary>
public static class Img2DatasetShard
{
    /// <summary>img2dataset's key: the shard number (5 digits) then the index in the shard (4 digits).</summary>
    public static string Key(int shard, int index) => $"{shard:D5}{index:D4}";

    public static string TarName(int shard) => $"{shard:D5}.tar";

    public static byte[] Tar(int shard, IReadOnlyList<SyntheticSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        using var buffer = new MemoryStream();
        using (var tar = new TarWriter(buffer, TarEntryFormat.Ustar, leaveOpen: true))
        {
            for (int i = 0; i < samples.Count; i++)
            {
                string key = Key(shard, i);
                Add(tar, key + ".jpg", samples[i].Bytes);
                Add(tar, key + ".json", Json(shard, i, samples[i]));
            }
        }
        return buffer.ToArray();
    }

    private static void Add(TarWriter tar, string name, byte[] data)
    {
        // A fixed time, so the same seed gives byte-identical tars.
        var entry = new UstarTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data), ModificationTime = DateTimeOffset.UnixEpoch };
        tar.WriteEntry(entry);
    }

    private static string Url(int shard, int index, SyntheticSample s) => $"https://example.org/rehearsal/{s.Source}/{Key(shard, index)}.jpg";

    private static byte[] Json(int shard, int index, SyntheticSample s) => JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object?>
    {
        ["url"] = Url(shard, index, s),
        ["caption"] = $"a part of {s.Source}",
        ["key"] = Key(shard, index),
        ["status"] = "success",
        ["error_message"] = null,
        ["width"] = s.Width,
        ["height"] = s.Height,
        ["original_width"] = s.Width,
        ["original_height"] = s.Height,
        ["exif"] = "{}",
        ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(s.Bytes)),
    });

    /// <summary>The shard Parquet: url, key, status, caption, width, height per sample.</summary>
    public static async Task<byte[]> ParquetAsync(int shard, IReadOnlyList<SyntheticSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var url = new DataField<string>("url");
        var caption = new DataField<string>("caption");
        var key = new DataField<string>("key");
        var status = new DataField<string>("status");
        var width = new DataField<int>("width");
        var height = new DataField<int>("height");
        using var buffer = new MemoryStream();
        await using (var writer = await ParquetWriter.CreateAsync(new ParquetSchema(url, caption, key, status, width, height), buffer))
        {
            using var group = writer.CreateRowGroup();
            await group.WriteAsync(url, [.. samples.Select((s, i) => (string?)Url(shard, i, s))]);
            await group.WriteAsync(caption, [.. samples.Select(s => (string?)$"a part of {s.Source}")]);
            await group.WriteAsync(key, [.. samples.Select((_, i) => (string?)Key(shard, i))]);
            await group.WriteAsync(status, [.. samples.Select(_ => (string?)"success")]);
            await group.WriteAsync<int>(width, samples.Select(s => s.Width).ToArray());
            await group.WriteAsync<int>(height, samples.Select(s => s.Height).ToArray());
        }
        return buffer.ToArray();
    }

    public static byte[] Stats(int shard, int count) => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["count"] = count,
        ["successes"] = count,
        ["failed_to_download"] = 0,
        ["failed_to_resize"] = 0,
        ["status_dict"] = new Dictionary<string, int> { ["success"] = count },
        ["shard"] = shard,
    }));
}
