using System.Globalization;
using RobustCrop.Core.Data;

namespace RobustCrop.IO.Data;

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
        // Parsed from the left with the child's known name, so a '|' inside a name or source is harmless.
        string source = shard.Source;
        int bar = source.IndexOf('|');
        if (bar > 0
            && int.TryParse(source.AsSpan(0, bar), NumberStyles.None, CultureInfo.InvariantCulture, out int c)
            && c < _children.Length
            && source.AsSpan(bar + 1).StartsWith(_children[c].Name + "|", StringComparison.Ordinal))
        {
            string rest = source[(bar + 1 + _children[c].Name.Length + 1)..];
            int idEnd = rest.IndexOf('|');
            if (idEnd > 0 && int.TryParse(rest.AsSpan(0, idEnd), NumberStyles.None, CultureInfo.InvariantCulture, out int childId))
                return _children[c].ReadShard(new DatasetShard(new ShardId(childId), rest[(idEnd + 1)..], shard.Start, shard.Count));
        }
        throw new ArgumentException($"shard {shard.Id} ({shard.Source}) is not a shard of {Name}", nameof(shard));
    }
}
