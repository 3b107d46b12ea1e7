namespace RobustCrop.Worker.Inference;

/// <summary>
/// One loaded value per key for every user in a process, released when its last user is done: the local workers of an
/// in-process run share one inference session per (model, device, threads) instead of loading a copy each (a copy of
/// ResNet18 is ~425 MB of session memory; 256 local workers once exhausted 23 GB). ONNX Runtime sessions run
/// concurrently from several threads, so sharing changes no result.
/// </summary>
/// <remarks>A load runs once per key while the others asking for it wait (no second copy, even briefly); a failed load
/// is forgotten, so the next user tries again. Created by the process's host and handed to its workers: no static state.</remarks>
public sealed class SharedModels<TKey, TValue> where TKey : notnull where TValue : class, IDisposable
{
    private readonly object _gate = new();
    private readonly Dictionary<TKey, Entry> _entries = [];

    private sealed class Entry(Lazy<TValue> value)
    {
        public Lazy<TValue> Value { get; } = value;
        public int Users;
    }

    /// <summary>A user's hold on a shared value; disposing it releases the value (disposed with its last user).</summary>
    public sealed class Handle : IDisposable
    {
        private readonly SharedModels<TKey, TValue> _owner;
        private readonly TKey _key;
        private int _released;

        internal Handle(SharedModels<TKey, TValue> owner, TKey key, TValue value)
        {
            _owner = owner;
            _key = key;
            Value = value;
        }

        public TValue Value { get; }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) _owner.Release(_key);
        }
    }

    /// <summary>Users holding each key now (for tests and logs).</summary>
    public int UsersOf(TKey key)
    {
        lock (_gate) return _entries.TryGetValue(key, out var e) ? e.Users : 0;
    }

    public Handle Acquire(TKey key, Func<TValue> load)
    {
        Entry entry;
        lock (_gate)
        {
            if (!_entries.TryGetValue(key, out entry!))
                _entries[key] = entry = new Entry(new Lazy<TValue>(load, LazyThreadSafetyMode.ExecutionAndPublication));
            entry.Users++;
        }
        try
        {
            // Outside the gate: a load takes seconds and must not hold up users of other keys.
            return new Handle(this, key, entry.Value.Value);
        }
        catch
        {
            lock (_gate)
            {
                // Forget the failure (Lazy would cache it) once no other user waits on it.
                if (--entry.Users == 0 && _entries.TryGetValue(key, out var e) && ReferenceEquals(e, entry)) _entries.Remove(key);
            }
            throw;
        }
    }

    private void Release(TKey key)
    {
        TValue? last = null;
        lock (_gate)
        {
            if (_entries.TryGetValue(key, out var entry) && --entry.Users == 0)
            {
                _entries.Remove(key);
                last = entry.Value.Value;
            }
        }
        last?.Dispose();
    }
}
