using System.Globalization;

namespace RobustCrop.Shared.Data;

/// <summary>Several datasets read one after another, as one dataset with globally numbered shards.</summary>
/// <remarks>
/// Shard ids run through the children in order (the first child's shards, then the second's…), so they
/// are stable whenever each child's plan is. A composite shard carries everything needed to find its
/// child shard again in <see cref="DatasetShard.Source"/> (<c>child index|child name|child shard id|child source</c>),
/// because a worker reading it has the shard but not the shard size it was planned with.
/// </remarks>
public sealed class CompositeDataset : IImageDataset
{
    private readonly IImageDataset[] _children;

    public CompositeDataset(IEnumerable<IImageDataset> children)
    {
        _children = children.ToArray();
        if (_children.Length == 0)
            throw new ArgumentException("a composite dataset needs at least one dataset", nameof(children));
        Name = string.Join('+', _children.Select(c => c.Name));
    }

    public string Name { get; }

    public IReadOnlyList<IImageDataset> Children => _children;

    public IReadOnlyList<DatasetShard> PlanShards(int shardSize)
    {
        var shards = new List<DatasetShard>();
        for (int c = 0; c < _children.Length; c++)
        {
            foreach (var s in _children[c].PlanShards(shardSize))
            {
                string source = string.Create(CultureInfo.InvariantCulture, $"{c}|{_children[c].Name}|{s.Id.Value}|{s.Source}");
                shards.Add(new DatasetShard(new ShardId(shards.Count), source, s.Start, s.Count));
            }
        }
        return shards;
    }

    public IEnumerable<ImageRecord> ReadShard(DatasetShard shard)
    {
        var parts = shard.Source.Split('|', 4);
        if (parts.Length != 4
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int c)
            || c >= _children.Length
            || _children[c].Name != parts[1]
            || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out int childId))
            throw new ArgumentException($"shard {shard.Id} ({shard.Source}) is not a shard of {Name}", nameof(shard));
        return _children[c].ReadShard(new DatasetShard(new ShardId(childId), parts[3], shard.Start, shard.Count));
    }
}
