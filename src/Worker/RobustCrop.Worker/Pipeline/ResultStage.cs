using System.Collections.Concurrent;
using RobustCrop.Core.Results;

namespace RobustCrop.Worker.Pipeline;

/// <summary>
/// A sink that runs the real one on a thread of its own: metrics, rows and progress leave the inference thread, which
/// goes back to the model as soon as a batch's outputs are read. Order is kept (one consumer), so the rows are the same
/// as inline. Bounded: when the consumer falls behind, the inference thread waits (back-pressure, not memory).
/// </summary>
internal sealed class ResultStage : IPipelineSink, IDisposable
{
    private readonly IPipelineSink _sink;
    private readonly Action<int, long>? _onImage;
    private readonly BlockingCollection<Action> _queue;
    private readonly CancellationTokenSource _failed = new();
    private readonly Task _consumer;
    private Exception? _error;

    public ResultStage(IPipelineSink sink, Action<int, long>? onImage, int capacity)
    {
        _sink = sink;
        _onImage = onImage;
        _queue = new BlockingCollection<Action>(capacity);
        _consumer = DedicatedThread.Run("pipeline results", Consume);
    }

    public void Failed(PreparedImage image, ErrorStage stage, string reason) => Post(() => _sink.Failed(image, stage, reason));

    public void Completed(ImageModelWork work) => Post(() => _sink.Completed(work));

    public void Progress(int finished, long crops)
    {
        if (_onImage is { } onImage) Post(() => onImage(finished, crops));
    }

    /// <summary>Waits until everything posted ran; throws what the sink threw.</summary>
    public void Finish()
    {
        _queue.CompleteAdding();
        _consumer.GetAwaiter().GetResult();
        if (_error is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(_error);
    }

    public void Dispose()
    {
        if (!_queue.IsAddingCompleted) _queue.CompleteAdding();
        try { _consumer.GetAwaiter().GetResult(); } catch (OperationCanceledException) { }
        _queue.Dispose();
        _failed.Dispose();
    }

    private void Post(Action item)
    {
        try { _queue.Add(item, _failed.Token); }
        catch (OperationCanceledException) when (_error is not null)
        {
            // The sink failed: the inference thread stops with its exception instead of waiting on a full queue.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(_error);
        }
    }

    private bool Consume()
    {
        try
        {
            foreach (var item in _queue.GetConsumingEnumerable()) item();
        }
        catch (Exception e)
        {
            _error = e;
            _failed.Cancel();
        }
        return true;
    }
}
