namespace RobustCrop.Core.Results;

/// <summary>
/// An exact set of keys for counting distinct images within a shard, that copies each key's characters into one reused
/// buffer instead of holding the key strings: a set of strings keeps a shard's keys alive across files, so the garbage
/// collector promotes them and the heap of a long aggregation grows with the run. <see cref="Clear"/> keeps the buffers
/// for the next shard, so after the largest shard nothing more is allocated.
/// </summary>
public sealed class DistinctKeys
{
    private char[] _chars = new char[1 << 12];
    private int _used;
    // Entry i: where its characters start and end, and its hash; slots hold entry index + 1 (0 = empty).
    private int[] _start = new int[64];
    private int[] _length = new int[64];
    private int[] _hash = new int[64];
    private int[] _slots = new int[128];

    public int Count { get; private set; }

    /// <summary>Adds <paramref name="key"/>; false when an equal key is already in the set.</summary>
    public bool Add(ReadOnlySpan<char> key)
    {
        int hash = string.GetHashCode(key, StringComparison.Ordinal);
        int mask = _slots.Length - 1;
        int slot = hash & mask;
        while (_slots[slot] != 0)
        {
            int e = _slots[slot] - 1;
            if (_hash[e] == hash && key.SequenceEqual(_chars.AsSpan(_start[e], _length[e]))) return false;
            slot = (slot + 1) & mask;
        }
        if (_used + key.Length > _chars.Length) Array.Resize(ref _chars, Math.Max(_chars.Length * 2, _used + key.Length));
        key.CopyTo(_chars.AsSpan(_used));
        if (Count == _start.Length)
        {
            Array.Resize(ref _start, Count * 2);
            Array.Resize(ref _length, Count * 2);
            Array.Resize(ref _hash, Count * 2);
        }
        (_start[Count], _length[Count], _hash[Count]) = (_used, key.Length, hash);
        _used += key.Length;
        _slots[slot] = ++Count;
        // At most half full, so probes stay short.
        if (Count * 2 > _slots.Length) Rehash(_slots.Length * 2);
        return true;
    }

    /// <summary>Empties the set, keeping its buffers.</summary>
    public void Clear()
    {
        Array.Clear(_slots);
        Count = 0;
        _used = 0;
    }

    private void Rehash(int size)
    {
        _slots = new int[size];
        int mask = size - 1;
        for (int e = 0; e < Count; e++)
        {
            int slot = _hash[e] & mask;
            while (_slots[slot] != 0) slot = (slot + 1) & mask;
            _slots[slot] = e + 1;
        }
    }
}
