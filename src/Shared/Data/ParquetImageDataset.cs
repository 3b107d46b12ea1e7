namespace RobustCrop.Shared.Data;

/// <summary>Placeholder until Parquet reading lands.</summary>
public sealed class ParquetImageDataset : IImageDataset
{
    public ParquetImageDataset(string path)
    {
        if (!File.Exists(path))
            throw new DatasetException($"data not found: {path}");
        Name = ShardPlanning.NameFromPath(path);
        throw new DatasetException($"Parquet datasets are not supported yet: {path}");
    }

    public string Name { get; }

    public IReadOnlyList<DatasetShard> PlanShards(int shardSize) => [];

    public IEnumerable<ImageRecord> ReadShard(DatasetShard shard) => [];
}
