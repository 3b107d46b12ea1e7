using System.CommandLine;
using RobustCrop.Cli.Options;
using RobustCrop.Coordinator.Rehearsal;
using RobustCrop.IO.Storage;

namespace RobustCrop.Cli.Commands;

/// <summary><c>rehearsal-data</c>: a seeded collection of distinct real JPEGs in img2dataset's layout (and optionally the
/// near-zero-cost model's zoo), for rehearsing a run at scale on one's own storage and cluster.</summary>
public sealed class RehearsalDataCommand : Command
{
    public RehearsalDataCommand(CliConsole io) : base("rehearsal-data",
        "make IMAGES distinct JPEGs (256-1024 px, mixed aspect ratios) cut from the shipped photos, in img2dataset's layout "
        + "(NNNNN.tar of .jpg + .json, NNNNN.parquet, NNNNN_stats.json), seeded and reproducible, with a few corrupt ones; "
        + "--zoo also writes a near-zero-cost model with ResNet18's input and output shape, so a run measures the system and not the model")
    {
        var images = CliOptions.Int("--images", "how many samples", null, 1, int.MaxValue);
        images.Required = true;
        var output = CliOptions.String("--out",
            "comma-separated destinations, each a folder or az://container/prefix: the same shards are written to each", helpName: "URIS", required: true);
        var shardSize = CliOptions.Int("--shard-size", "samples per tar (img2dataset writes 10,000)", 1000, 1, 10_000);
        var seed = CliOptions.Int("--seed", "the same seed gives the same bytes", 1, 0, int.MaxValue);
        var corrupt = new Option<double>("--corrupt")
        {
            Description = "fraction of samples made unusable (cut short, not an image, empty): each must become one errors row",
            HelpName = "F",
            DefaultValueFactory = _ => 0.002,
        };
        corrupt.Validators.Add(r => { if (r.GetValueOrDefault<double>() is < 0 or > 1) r.AddError("--corrupt must be in [0, 1]"); });
        var photos = CliOptions.String("--photos", "folder of source photos (default: the shipped sample photos)", helpName: "DIR");
        var zoo = CliOptions.String("--zoo", "also write the near-zero-cost model and its zoo.yaml into this folder", helpName: "DIR");
        var threads = CliOptions.Int("--threads", "images made at once (default: the cores)", Environment.ProcessorCount, 1, 1024);
        var connectionString = CliOptions.String("--connection-string", "storage connection string for az:// (default: $AZURE_STORAGE_CONNECTION_STRING)", helpName: "CS");
        foreach (var o in new Option[] { images, output, shardSize, seed, corrupt, photos, zoo, threads, connectionString }) Add(o);

        SetAction(async (p, ct) =>
        {
            string folder = p.GetValue(photos) ?? Path.Combine(AppContext.BaseDirectory, "samples", "photos");
            if (!Directory.Exists(folder)) throw new UsageException($"--photos {folder}: no such folder");
            string[] sources = [.. Directory.EnumerateFiles(folder)
                .Where(f => Path.GetExtension(f).ToLowerInvariant() is ".png" or ".jpg" or ".jpeg" or ".webp")];
            if (sources.Length == 0) throw new UsageException($"--photos {folder}: no .png, .jpg or .webp files");
            var stores = new List<IResultStore>();
            foreach (string uri in p.GetValue(output)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                stores.Add(await StoreFactory.OpenAsync(uri, p.GetValue(connectionString), ct));
            if (stores.Count == 0) throw new UsageException("--out names no destination");
            if (p.GetValue(zoo) is { } zooFolder) io.Out.WriteLine($"zoo: {FeedZoo.Write(zooFolder)}");
            using var maker = new SyntheticPhotos(sources, p.GetValue(seed), p.GetValue(corrupt));
            var result = await RehearsalData.WriteAsync(maker, p.GetValue(images), p.GetValue(shardSize), stores, p.GetValue(threads),
                io.Err.WriteLine, ct);
            io.Out.WriteLine($"rehearsal-data images={result.Images} corrupt={result.Corrupt} shards={result.Shards} "
                + $"tar_mib={result.TarBytes / 1048576.0:F0} seconds={result.Seconds:F1} images_per_s={result.Images / result.Seconds:F0} "
                + $"to={string.Join(',', stores.Select(s => s.Describe()))}");
            return 0;
        });
    }
}
