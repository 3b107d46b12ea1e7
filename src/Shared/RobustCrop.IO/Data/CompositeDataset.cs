using RobustCrop.Core.Data;

namespace RobustCrop.IO.Data;

/// <summary>Several datasets read one after another, as one dataset with globally numbered shards.</summary>
/// <remarks>
/// Shard ids run through the children in order (the first child's shards, then the second's…), so they
/// are stable whenever each child's plan is. A composite shard carries everything needed to find its
/// child shard again in <see cref="DatasetShard.Source"/> (a <see cref="ChildSource"/>), because a worker reading it has the shard but not the shard size it was planned with.
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
                shards.Add(new DatasetShard(new ShardId(shards.Count), ShardSource.OfChild(c, _children[c].Name, s.Id, s.Source), s.Start, s.Count));
            }
        }
        return shards;
    }

    public IEnumerable<ImageRecord> ReadShard(DatasetShard shard)
    {
        // The child is checked by index and name, so a shard planned over other data fails instead of reading the wrong part.
        if (shard.Source is ChildSource { } child && child.Index >= 0 && child.Index < _children.Length && child.Name == _children[child.Index].Name)
            return _children[child.Index].ReadShard(new DatasetShard(child.Id, child.Source, shard.Start, shard.Count));
        throw new ArgumentException($"shard {shard.Id} ({shard.Source}) is not a shard of {Name}", nameof(shard));
    }

    public IEnumerable<ListedFile> ListFiles()
        => _children.SelectMany(c => c.ListFiles().Select(f => f with { Name = $"{c.Name}/{f.Name}" }));

    public long? PlannedInputs(DatasetShard shard)
        => shard.Source is ChildSource { } child && child.Index >= 0 && child.Index < _children.Length
            ? _children[child.Index].PlannedInputs(new DatasetShard(child.Id, child.Source, shard.Start, shard.Count))
            : (shard.Count >= 0 ? shard.Count : null);
}
