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
}
