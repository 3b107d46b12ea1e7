using System.Threading.Channels;
using RobustCrop.Core.Data;

namespace RobustCrop.Worker.Pipeline;

/// <summary>
/// Reads the inputs in order on one task and prepares (decode + resize, then the plan and its RICS scoring) up to
/// <c>threads</c> of them at once on the thread pool, handing them to the consumer in input order, so rows are the same whatever the thread count. Bounded on
/// both sides: at most <c>threads</c> preparations run and at most <see cref="Capacity"/> prepared or preparing inputs
/// wait, so memory is flat in the dataset's size and a slow model slows the reader instead of filling memory.
/// </summary>
/// <remarks>
/// Reading stays sequential on purpose: a shard is one stream (a tar member after another, a blob read ahead), and its
/// bytes are cheap next to decoding them. The pool is the right home for the preparations, each a short bounded piece
/// of CPU work, unlike inference, which keeps a thread of its own.
/// </remarks>
internal sealed class DecodeStage<T> : IDisposable
{
    private readonly Channel<Task<T>> _queue;
    private readonly SemaphoreSlim _running;
    private readonly CancellationTokenSource _stop;
    private readonly Task _reader;

    public DecodeStage(Func<ImageRecord, T> prepare, IEnumerable<ImageRecord> records, int threads, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        Capacity = Math.Max(16, 2 * threads);
        _queue = Channel.CreateBounded<Task<T>>(new BoundedChannelOptions(Capacity) { SingleReader = true, SingleWriter = true });
        _running = new SemaphoreSlim(threads, threads);
        _stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var token = _stop.Token;
        _reader = Task.Run(async () =>
        {
            try
            {
                foreach (var record in records)
                {
                    token.ThrowIfCancellationRequested();
                    await _running.WaitAsync(token).ConfigureAwait(false);
                    var prepared = Task.Run(() =>
                    {
                        try { return prepare(record); }
                        finally { _running.Release(); }
                    }, CancellationToken.None);
                    await _queue.Writer.WriteAsync(prepared, token).ConfigureAwait(false);
                }
                _queue.Writer.Complete();
            }
            catch (Exception e) { _queue.Writer.Complete(e); }
        }, token);
    }

    /// <summary>Inputs waiting or being prepared at most.</summary>
    public int Capacity { get; }

    /// <summary>
    /// The next input in order, waiting by blocking (the caller owns its thread); false once all are handed out. Throws
    /// the reader's exception (a failed read of the shard) or the cancellation.
    /// </summary>
    public bool TryNext(out T image, CancellationToken ct)
    {
        var reader = _queue.Reader;
        while (true)
        {
            if (reader.TryRead(out var next))
            {
                image = next.GetAwaiter().GetResult();
                return true;
            }
            var wait = reader.WaitToReadAsync(ct);
            bool more = wait.IsCompletedSuccessfully ? wait.Result : wait.AsTask().GetAwaiter().GetResult();
            if (!more)
            {
                image = default!;
                // Completion with an error surfaces here: WaitToReadAsync returns false only for a clean end.
                reader.Completion.GetAwaiter().GetResult();
                return false;
            }
        }
    }

    /// <summary>Stops reading (the consumer failed or was cancelled) and waits for the reader, so the shard's input is closed.</summary>
    public void Dispose()
    {
        _stop.Cancel();
        try { _reader.GetAwaiter().GetResult(); } catch (OperationCanceledException) { }
        // Preparations already started finish on their own (each is one image); drain so none is left unobserved.
        while (_queue.Reader.TryRead(out var left)) try { left.GetAwaiter().GetResult(); } catch (OperationCanceledException) { }
        // Not the semaphore: a preparation the reader started but could not queue may still release it.
        _stop.Dispose();
    }
}
