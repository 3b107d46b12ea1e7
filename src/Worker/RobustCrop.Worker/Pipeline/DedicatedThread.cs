namespace RobustCrop.Worker.Pipeline;

/// <summary>
/// Runs blocking work on a thread of its own and exposes it as a task. <c>Task.Factory.StartNew(async …, LongRunning)</c>
/// looks like this but is not: the dedicated thread ends at the first <c>await</c> that does not complete at once, and
/// the rest runs on the thread pool that Akka's dispatcher shares. Here the work is synchronous from start to end, so
/// it keeps its thread; ONNX Runtime uses the calling thread as one of its compute threads, and a pool thread busy for
/// seconds per batch is exactly what starves actors' mailboxes.
/// </summary>
public static class DedicatedThread
{
    public static Task<T> Run<T>(string name, Func<T> work)
    {
        // Continuations asynchronously: whoever awaits the result must not continue on (and hold) this thread.
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try { done.SetResult(work()); }
            catch (OperationCanceledException e) { done.SetCanceled(e.CancellationToken); }
            catch (Exception e) { done.SetException(e); }
        })
        {
            // A shard still running when the process exits must not keep it alive.
            IsBackground = true,
            Name = name,
        };
        thread.Start();
        return done.Task;
    }
}
