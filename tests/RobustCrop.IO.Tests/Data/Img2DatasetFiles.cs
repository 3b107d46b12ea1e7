using Parquet;
using Parquet.Schema;

namespace RobustCrop.IO.Tests.Data;

/// <summary>img2dataset's per-shard Parquet as it writes it: one row per URL tried, with its key and status.</summary>
internal static class Img2DatasetFiles
{
    public static byte[] ShardParquet(params string[] statuses) => ShardParquet("status", statuses);

    public static byte[] ShardParquet(string statusColumn, string[] statuses) => WriteAsync(statusColumn, statuses).GetAwaiter().GetResult();

    private static async Task<byte[]> WriteAsync(string statusColumn, string[] statuses)
    {
        var key = new DataField<string>("key");
        var status = new DataField<string>(statusColumn);
        using var buffer = new MemoryStream();
        await using (var writer = await ParquetWriter.CreateAsync(new ParquetSchema(key, status), buffer))
        {
            // Two row groups: the count must add up across them.
            int offset = 0;
            foreach (var part in statuses.Chunk(Math.Max(1, (statuses.Length + 1) / 2)))
            {
                using var group = writer.CreateRowGroup();
                string?[] keys = [.. part.Select((_, i) => $"{offset + i:D9}")];
                string?[] values = [.. part];
                await group.WriteAsync(key, keys);
                await group.WriteAsync(status, values);
                offset += part.Length;
            }
        }
        return buffer.ToArray();
    }
}
