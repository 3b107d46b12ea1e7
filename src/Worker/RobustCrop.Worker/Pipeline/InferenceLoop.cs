using System.Collections.Concurrent;

namespace RobustCrop.Worker.Pipeline;

/// <summary>
/// One batch's buffers: crops in (raw HWC bytes, normalised by the model's graph), outputs out, and which (work, crop)
/// each row belongs to.
/// </summary>
internal sealed class BatchBuffer(int capacity, int cropBytes, int outputDim) : IDisposable
{
    public byte[] Input { get; } = new byte[capacity * cropBytes];
    public int CropBytes => cropBytes;
    public float[] Output { get; } = new float[capacity * outputDim];
    public (ImageModelWork Work, int Crop)[] Slots { get; } = new (ImageModelWork, int)[capacity];
    public int Count { get; set; }
    public bool IsFull => Count == Slots.Length;

    /// <summary>Set by the inference thread when the batch ran (or failed, with <see cref="Error"/>).</summary>
    public ManualResetEventSlim Ran { get; } = new(false);
    public Exception? Error { get; set; }

    public void Dispose() => Ran.Dispose();
}

/// <summary>
/// The model's own thread: runs the batches it is handed, one at a time, in order, while the pipeline thread fills the
/// next one — the double buffering that keeps an accelerator busy while crops are assembled. One thread for the whole
/// pass (ONNX Runtime uses the calling thread as one of its compute threads, and a thread-pool thread held for a batch
/// is what starves actors' mailboxes). Bounded: at most one batch waits to run.
/// </summary>
internal sealed class InferenceLoop : IDisposable
{
    private readonly IBatchInference _inference;
    private readonly StageTimes? _times;
    private readonly BlockingCollection<BatchBuffer> _queue = new(boundedCapacity: 1);
    private readonly Task _thread;

    public InferenceLoop(IBatchInference inference, string name, StageTimes? times)
    {
        _inference = inference;
        _times = times;
        _thread = DedicatedThread.Run($"inference {name}", Loop);
    }

    /// <summary>Hands a full (or last) batch to the model's thread; its <see cref="BatchBuffer.Ran"/> is set when it has run.</summary>
    public void Start(BatchBuffer batch)
    {
        batch.Ran.Reset();
        batch.Error = null;
        _queue.Add(batch);
    }

    /// <summary>Waits until <paramref name="batch"/> has run; rethrows what the model threw.</summary>
    public static void Wait(BatchBuffer batch)
    {
        batch.Ran.Wait();
        if (batch.Error is { } e) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e);
    }

    public void Dispose()
    {
        _queue.CompleteAdding();
        _thread.GetAwaiter().GetResult();
        _queue.Dispose();
    }

    private bool Loop()
    {
        foreach (var batch in _queue.GetConsumingEnumerable())
        {
            long started = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                int n = batch.Count, crop = batch.CropBytes, d = batch.Output.Length / batch.Slots.Length;
                _inference.Run(batch.Input.AsSpan(0, n * crop), n, batch.Output.AsSpan(0, n * d));
            }
            catch (Exception e) { batch.Error = e; }
            finally
            {
                _times?.Add(Stage.Infer, started);
                batch.Ran.Set();
            }
        }
        return true;
    }
}
