using System.Diagnostics;
using RobustCrop.IO.Storage;

namespace RobustCrop.Coordinator.Rehearsal;

/// <summary>What <see cref="RehearsalData.WriteAsync"/> made: samples, of them corrupt, shards, bytes, seconds.</summary>
public sealed record RehearsalDataResult(long Images, long Corrupt, int Shards, long TarBytes, double Seconds);

/// <summary>
/// Writes a seeded img2dataset-layout collection of <see cref="SyntheticPhotos"/> to one or more stores (a local folder,
/// az://…): the same bytes to each, shard by shard, the images of a shard made in parallel.
/// </summary>
public static class RehearsalData
{
    public static async Task<RehearsalDataResult> WriteAsync(SyntheticPhotos photos, long images, int shardSize, IReadOnlyList<IResultStore> stores,
        int threads, Action<string>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(photos);
        ArgumentNullException.ThrowIfNull(stores);
        ArgumentOutOfRangeException.ThrowIfLessThan(images, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(shardSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(shardSize, 10_000); // the key's 4 digits of index
        var sw = Stopwatch.StartNew();
        int shards = checked((int)((images + shardSize - 1) / shardSize));
        long corrupt = 0, bytes = 0;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = ct };
        for (int shard = 0; shard < shards; shard++)
        {
            long first = (long)shard * shardSize;
            int count = (int)Math.Min(shardSize, images - first);
            var samples = new SyntheticSample[count];
            Parallel.For(0, count, parallel, i => samples[i] = photos.Make(first + i));
            byte[] tar = Img2DatasetShard.Tar(shard, samples);
            byte[] parquet = await Img2DatasetShard.ParquetAsync(shard, samples).ConfigureAwait(false);
            byte[] stats = Img2DatasetShard.Stats(shard, count);
            string name = Img2DatasetShard.TarName(shard);
            // The sidecars first: a reader that sees the tar finds its count beside it.
            foreach (var store in stores)
            {
                await store.WriteBytesAsync(name[..^4] + ".parquet", parquet, ct).ConfigureAwait(false);
                await store.WriteBytesAsync(name[..^4] + "_stats.json", stats, ct).ConfigureAwait(false);
                await store.WriteBytesAsync(name, tar, ct).ConfigureAwait(false);
            }
            corrupt += samples.Count(s => s.Corrupt);
            bytes += tar.Length;
            progress?.Invoke($"rehearsal-data shard={shard + 1}/{shards} images={first + count} elapsed_s={sw.Elapsed.TotalSeconds:F1}");
        }
        return new RehearsalDataResult(images, corrupt, shards, bytes, sw.Elapsed.TotalSeconds);
    }

    private static Task WriteBytesAsync(this IResultStore store, string path, byte[] data, CancellationToken ct)
        => store.WriteAsync(path, s => s.WriteAsync(data, ct).AsTask(), ct);
}
