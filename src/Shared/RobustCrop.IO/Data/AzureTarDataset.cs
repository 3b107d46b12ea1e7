using System.Collections.Concurrent;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using RobustCrop.Core.Data;
using RobustCrop.IO.Storage;

namespace RobustCrop.IO.Data;

/// <summary>
/// WebDataset shards in Azure Blob Storage: <c>az://container/prefix/</c> (every .tar under the prefix, in name order)
/// or a brace list <c>az://container/shards/{00000..09999}.tar</c>. Nothing is downloaded to disk.
/// </summary>
/// <remarks>
/// Planning lists the blobs (a few requests for 10,000 shards) and reads no tar: one tar is one shard, unless an
/// img2dataset <c>NNNNN_stats.json</c> or <c>NNNNN.parquet</c> beside it gives its sample count (fetched in parallel). Reading streams a tar with
/// sequential ranged reads (<see cref="BlobClient.OpenRead(BlobOpenReadOptions, CancellationToken)"/>) kept two
/// buffers ahead of the reader by a <see cref="ReadAheadStream"/>,
/// each retried with exponential backoff by the client. A blob that still fails mid-way — storage gone longer than the
/// retries last, or the blob replaced while read — fails the whole shard with <see cref="DataSourceException"/>: its
/// manifest is not written, so a retry on another worker or a resume reads it again, and no sample is lost or doubled.
/// </remarks>
public static class AzureTarDataset
{
    /// <summary>Bytes fetched per ranged read of a tar.</summary>
    public const int DefaultBufferSize = 4 << 20;

    /// <summary>Sidecar downloads in flight while planning.</summary>
    private const int SidecarParallelism = 32;

    /// <summary>Bytes per ranged read of a sidecar Parquet: its footer and status column, not its whole file.</summary>
    private const int ParquetReadBuffer = 64 << 10;

    /// <param name="entry">az://container/prefix/, az://container/prefix/x.tar or a brace pattern of .tar blobs.</param>
    /// <exception cref="DatasetException">No tar, a missing tar of a brace list, bad credentials or unreachable storage (one line).</exception>
    public static WebDatasetTarDataset Open(string entry, string? connectionString, string? name = null, AzureBlobStoreOptions? options = null,
        int bufferSize = DefaultBufferSize, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var (container, folder, wanted) = Parse(entry);
        BlobContainerClient client;
        try
        {
            client = StoreFactory.Service(entry, connectionString, options, environment).GetBlobContainerClient(container);
        }
        catch (ArgumentException e)
        {
            throw new DatasetException(e.Message);
        }
        var tars = new List<string>();
        var sidecars = new HashSet<string>(StringComparer.Ordinal);
        // Size and ETag of each tar as listed: the run's plan fingerprints them, so a replaced blob fails a resume.
        var listed = new Dictionary<string, ListedFile>(StringComparer.Ordinal);
        try
        {
            foreach (var blob in client.GetBlobs(BlobTraits.None, BlobStates.None, folder, CancellationToken.None))
            {
                if (blob.Name.EndsWith(".tar", StringComparison.OrdinalIgnoreCase))
                {
                    tars.Add(blob.Name);
                    listed[blob.Name] = new ListedFile(blob.Name[folder.Length..], blob.Properties.ContentLength ?? -1, blob.Properties.ETag?.ToString() ?? "");
                }
                else if (blob.Name.EndsWith(Img2DatasetSidecar.StatsSuffix, StringComparison.Ordinal)
                         || blob.Name.EndsWith(Img2DatasetSidecar.ParquetSuffix, StringComparison.Ordinal)) sidecars.Add(blob.Name);
            }
        }
        catch (Exception e) when (e is RequestFailedException or AggregateException or IOException or Azure.Identity.AuthenticationFailedException)
        {
            throw new DatasetException($"cannot list {entry}: {StorageErrors.Describe(e)}");
        }
        tars.Sort(StringComparer.Ordinal);
        if (wanted is not null)
        {
            var present = tars.ToHashSet(StringComparer.Ordinal);
            if (wanted.FirstOrDefault(t => !present.Contains(t)) is { } missing)
                throw new DatasetException($"data not found: az://{container}/{missing}");
            tars = wanted;
        }
        if (tars.Count == 0) throw new DatasetException($"no .tar blobs under {entry}");
        var names = tars.Select(t => t[folder.Length..]).ToArray();
        var counts = SidecarCounts(client, tars, sidecars);
        var blobOf = names.Zip(tars).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);
        var source = new AzureTarSource(client, DatasetName(container, folder), names, blobOf,
            tar => counts.TryGetValue(blobOf[tar], out long n) ? n : null, [.. tars.Select(t => listed[t])], bufferSize);
        return new WebDatasetTarDataset(source, name);
    }

    /// <summary>(container, listing prefix, explicit blob names or null) of an entry.</summary>
    private static (string Container, string Folder, List<string>? Wanted) Parse(string entry)
    {
        if (BraceExpansion.HasBraces(entry))
        {
            List<string> expanded;
            try { expanded = [.. BraceExpansion.Expand(entry)]; }
            catch (FormatException e) { throw new DatasetException(e.Message); }
            var parsed = expanded.Select(Split).ToList();
            string container = parsed[0].Container;
            if (parsed.Any(p => p.Container != container)) throw new DatasetException($"'{entry}': every shard must be in one container");
            if (parsed.Any(p => !p.Path.EndsWith(".tar", StringComparison.OrdinalIgnoreCase)))
                throw new DatasetException($"'{entry}': a brace pattern names .tar shards");
            // The listing prefix is the folder of the pattern's text before its first brace.
            string before = Split(entry[..entry.IndexOf('{', StringComparison.Ordinal)] + "x").Path;
            int slash = before.LastIndexOf('/');
            return (container, slash < 0 ? "" : before[..(slash + 1)], parsed.Select(p => p.Path).ToList());
        }
        var (c, path) = Split(entry);
        if (path.EndsWith(".tar", StringComparison.OrdinalIgnoreCase))
        {
            int slash = path.LastIndexOf('/');
            return (c, slash < 0 ? "" : path[..(slash + 1)], [path]);
        }
        return (c, path.Length == 0 ? "" : path.TrimEnd('/') + "/", null);
    }

    private static (string Container, string Path) Split(string uri)
    {
        try
        {
            return StoreFactory.ParseAzure(uri);
        }
        catch (ArgumentException e)
        {
            throw new DatasetException(e.Message);
        }
    }

    private static string DatasetName(string container, string folder)
    {
        string trimmed = folder.TrimEnd('/');
        int slash = trimmed.LastIndexOf('/');
        return trimmed.Length == 0 ? container : trimmed[(slash + 1)..];
    }

    /// <summary>Sample counts from the img2dataset sidecars that exist (tar blob name → count): the stats file, else the
    /// shard Parquet, of which only the footer and the status column are fetched (ranged reads).</summary>
    private static ConcurrentDictionary<string, long> SidecarCounts(BlobContainerClient client, List<string> tars, HashSet<string> sidecars)
    {
        var counts = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var pairs = tars.Select(t => (Tar: t, Names: Img2DatasetSidecar.NamesOf(t)))
            .Where(p => sidecars.Contains(p.Names.Stats) || sidecars.Contains(p.Names.Parquet)).ToList();
        Parallel.ForEach(pairs, new ParallelOptions { MaxDegreeOfParallelism = SidecarParallelism }, p =>
        {
            try
            {
                if (sidecars.Contains(p.Names.Stats)
                    && Img2DatasetSidecar.StatsSuccesses(client.GetBlobClient(p.Names.Stats).DownloadContent().Value.Content.ToMemory().Span) is { } n)
                    counts[p.Tar] = n;
                else if (sidecars.Contains(p.Names.Parquet))
                {
                    using var stream = client.GetBlobClient(p.Names.Parquet).OpenRead(new BlobOpenReadOptions(allowModifications: false) { BufferSize = ParquetReadBuffer });
                    // A planning thread of the pool, no synchronisation context: blocking cannot deadlock.
                    if (Img2DatasetSidecar.ParquetSuccessesAsync(stream).GetAwaiter().GetResult() is { } m) counts[p.Tar] = m;
                }
            }
            catch (Exception e) when (e is RequestFailedException or IOException or AggregateException)
            {
                // An unreadable sidecar plans its tar as one shard; reading the tar will tell.
            }
        });
        return counts;
    }
}
