using RobustCrop.Core.Data;

namespace RobustCrop.IO.Data;

/// <summary>A readable collection of images split into stable shards.</summary>
public interface IImageDataset
{
    /// <summary>Short name for reports and summary.json ("fashion-mnist+photos").</summary>
    string Name { get; }

    /// <summary>Plans shards; the same input and shard size always yield the same ids and ranges.</summary>
    IReadOnlyList<DatasetShard> PlanShards(int shardSize);

    /// <summary>Streams a shard's records in a stable order. A record that cannot be read is yielded with ReadError set, never thrown.</summary>
    IEnumerable<ImageRecord> ReadShard(DatasetShard shard);

    /// <summary>How many inputs (records: images and error rows) the shard yields, where planning knows it: its Count,
    /// or for a whole part the count planning found (a tar's samples). Null when only reading can tell. Progress totals
    /// come from here, so a run of small tars is not "? inputs".</summary>
    long? PlannedInputs(DatasetShard shard) => shard is { Count: >= 0 } ? shard.Count : null;

    /// <summary>The files the inputs come from, as their store lists them (name, size, modification time or ETag), in a
    /// stable order: a run's plan fingerprints them (<see cref="DataListing"/>), so a resume over changed data is refused.</summary>
    IEnumerable<ListedFile> ListFiles();
}
