using RobustCrop.Core.Data;

namespace RobustCrop.Coordinator.Scheduling;

/// <summary>
/// The shards waiting for a lease: plan order, re-queued ones first, O(1) removal of any shard (100,000 shards), and
/// which to hand a worker next. A tar larger than a shard is planned as consecutive ranges of one source; a worker gets
/// the range after the one it took last, else the first range of a tar nobody has started, else the head. The worker's
/// walk of a tar stopped where its next range begins, and a blob store reads from there: each byte of a tar is fetched
/// about once, instead of every shard of a tar reading all the tar before its own range.
/// </summary>
internal sealed class ShardQueue
{
    private readonly LinkedList<DatasetShard> _queue = [];
    private readonly Dictionary<ShardId, LinkedListNode<DatasetShard>> _queued = [];
    private readonly Dictionary<ShardId, ShardId> _successor = [];
    private readonly HashSet<ShardId> _continues = [];
    private readonly SortedSet<int> _queuedFirsts = [];
    private readonly Dictionary<ShardSource, DatasetShard> _lastOf = [];

    public int Count => _queue.Count;

    public bool Contains(ShardId shard) => _queued.ContainsKey(shard);

    /// <summary>Records a planned shard (in plan order): whether it continues the range of the shard planned before it.</summary>
    public void Planned(DatasetShard s)
    {
        if (_lastOf.TryGetValue(s.Source, out var before) && before.Count > 0 && s.Start == before.Start + before.Count)
        {
            _successor[before.Id] = s.Id;
            _continues.Add(s.Id);
        }
        _lastOf[s.Source] = s;
    }

    public void AddLast(DatasetShard shard) => Track(_queue.AddLast(shard));

    public void AddFirst(DatasetShard shard) => Track(_queue.AddFirst(shard));

    public void Remove(ShardId shard)
    {
        if (!_queued.Remove(shard, out var node)) return;
        _queue.Remove(node);
        _queuedFirsts.Remove(shard.Value);
    }

    /// <summary>Takes the shard after <paramref name="last"/> when queued, else a queued first range of a tar when the head
    /// continues one (its tar is being walked by another worker), else the head; null when empty.</summary>
    public DatasetShard? TakeFor(ShardId? last)
    {
        LinkedListNode<DatasetShard>? node = null;
        if (last is { } l && _successor.TryGetValue(l, out var next)) _queued.TryGetValue(next, out node);
        if (node is null && _queue.First is { } head && _continues.Contains(head.Value.Id) && _queuedFirsts.Count > 0)
            node = _queued[new ShardId(_queuedFirsts.Min)];
        node ??= _queue.First;
        if (node is null) return null;
        Remove(node.Value.Id);
        return node.Value;
    }

    private void Track(LinkedListNode<DatasetShard> node)
    {
        _queued[node.Value.Id] = node;
        if (!_continues.Contains(node.Value.Id)) _queuedFirsts.Add(node.Value.Id.Value);
    }
}
