using System.Text.Json;
using Parquet;
using Parquet.Schema;

namespace RobustCrop.IO.Data;

/// <summary>
/// The per-shard files img2dataset writes beside <c>NNNNN.tar</c>: <c>NNNNN_stats.json</c> ("successes": the samples it
/// wrote into the tar) and <c>NNNNN.parquet</c> (one row per URL it tried, with a <c>status</c> column). Either gives
/// a shard's sample count without reading the tar; the stats file is preferred (a few hundred bytes).
/// </summary>
public static class Img2DatasetSidecar
{
    public const string StatsSuffix = "_stats.json";
    public const string ParquetSuffix = ".parquet";

    /// <summary>The sidecar names of a tar path or blob name, most preferred first.</summary>
    public static (string Stats, string Parquet) NamesOf(string tar)
    {
        string stem = tar[..^".tar".Length];
        return (stem + StatsSuffix, stem + ParquetSuffix);
    }

    /// <summary>The samples img2dataset wrote into the local tar at <paramref name="tarPath"/>, from its stats file or else its
    /// shard Parquet, or null when there is no readable sidecar.</summary>
    public static long? LocalCount(string tarPath)
    {
        var (stats, parquet) = NamesOf(tarPath);
        try
        {
            if (File.Exists(stats) && StatsSuccesses(File.ReadAllBytes(stats)) is { } n) return n;
            if (!File.Exists(parquet)) return null;
            // Local file, no synchronisation context: blocking on Parquet.Net's async reader cannot deadlock.
            using var stream = File.OpenRead(parquet);
            return ParquetSuccessesAsync(stream).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>"successes" of an img2dataset stats file, or null.</summary>
    public static long? StatsSuccesses(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            using var doc = JsonDocument.ParseValue(ref reader);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("successes", out var v)
                   && v.TryGetInt64(out long n) && n >= 0 ? n : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Rows whose <c>status</c> is "success" in an img2dataset shard Parquet, reading only the footer and that column
    /// (ranged reads on a seekable blob stream); null when the file has no string <c>status</c> column or is unreadable.
    /// </summary>
    public static async Task<long?> ParquetSuccessesAsync(Stream seekable, CancellationToken ct = default)
    {
        try
        {
            await using var reader = await ParquetReader.CreateAsync(seekable, leaveStreamOpen: true, cancellationToken: ct).ConfigureAwait(false);
            // Parquet.Net describes a string column it reads back as ReadOnlyMemory<char>; it still reads into strings.
            if (reader.Schema.GetDataFields().FirstOrDefault(f => f.Name == "status" && (f.ClrType == typeof(string) || f.ClrType == typeof(ReadOnlyMemory<char>))) is not DataField status)
                return null;
            long successes = 0;
            for (int g = 0; g < reader.RowGroupCount; g++)
            {
                ct.ThrowIfCancellationRequested();
                using var group = reader.OpenRowGroupReader(g);
                var values = new string?[checked((int)group.RowCount)];
                await group.ReadAsync(status, values.AsMemory()).ConfigureAwait(false);
                foreach (var v in values)
                    if (v == "success") successes++;
            }
            return successes;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or NotSupportedException or InvalidOperationException or ArgumentException
                                      or OverflowException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
