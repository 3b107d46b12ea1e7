using RobustCrop.Core.Geometry;
using RobustCrop.Core.Imaging;

namespace RobustCrop.Worker.Pipeline;

/// <summary>
/// Packs the crops of successive images into fixed-size batches for one model, so that the session always sees full
/// batches regardless of how many crops each image needs. Crops are written straight from the scene into the
/// batch buffer (no crop image is ever allocated) as the crop's raw bytes, which the model normalises in its graph: at
/// most two block copies per row, the roll included (<see cref="CropBytes"/>). Double-buffered: a full batch runs on the model's own thread
/// (<see cref="InferenceLoop"/>) while the next one is filled here; its outputs are read when that next one is full, so
/// works complete in the same order as with one buffer, one batch later.
/// </summary>
public sealed class ModelBatcher : IDisposable
{
    private readonly EvaluatedModel _model;
    private readonly float[] _scratch;
    private readonly int _cropBytes;
    private readonly StageTimes? _times;
    private readonly InferenceLoop _loop;
    private readonly BatchBuffer[] _buffers;
    private BatchBuffer _filling;
    private BatchBuffer? _running;

    /// <param name="times">Where crop assembly and inference times are added (the bench); null: not timed.</param>
    public ModelBatcher(EvaluatedModel model, int maxBatch, StageTimes? times = null)
    {
        _model = model;
        _times = times;
        int batch = Math.Max(1, Math.Min(maxBatch, model.Inference.MaxBatch));
        int size = model.Inference.InputSize;
        _cropBytes = 3 * size * size;
        _buffers = [new BatchBuffer(batch, _cropBytes, model.Inference.OutputDimension), new BatchBuffer(batch, _cropBytes, model.Inference.OutputDimension)];
        _filling = _buffers[0];
        _scratch = new float[Math.Max(1, model.Interpreter.ClassCount)];
        _loop = new InferenceLoop(model.Inference, model.Id, times);
    }

    public long CropsInferred { get; private set; }

    /// <summary>Queues every crop of <paramref name="work"/>; finished works are appended to <paramref name="completed"/>.</summary>
    public void Add(ImageModelWork work, List<ImageModelWork> completed)
    {
        int size = _model.Inference.InputSize;
        var crops = work.Plan.Crops;
        for (int i = 0; i < crops.Length; i++)
        {
            var c = crops[i];
            long started = System.Diagnostics.Stopwatch.GetTimestamp();
            WriteCrop(work.Scene, c.Position.X, c.Position.Y, c.RollX, c.RollY);
            _times?.Add(Stage.CropAssembly, started);
            _filling.Slots[_filling.Count++] = (work, i);
            if (_filling.IsFull) Submit(completed);
        }
        if (work.NativeScene is { } native)
        {
            // The model's own preprocessing: the centre crop of the scene at its native resize (no shift, no roll).
            var centre = new SceneGeometry(native.Width, native.Height, work.Model.Manifest.NativeResizeSize!.Value, size).Base;
            WriteCrop(native, centre.X, centre.Y, 0, 0);
            _filling.Slots[_filling.Count++] = (work, work.NativeIndex);
            if (_filling.IsFull) Submit(completed);
        }
        var motion = work.Motion;
        for (int i = 0; i < motion.Crops.Count; i++)
        {
            // A moved view's crop: the base position (or a shift of it, or a RICS choice) in the view's own scene.
            var c = motion.Crops[i];
            WriteCrop(c.Scene, c.Position.X, c.Position.Y, 0, 0);
            _filling.Slots[_filling.Count++] = (work, motion.FirstOutput + i);
            if (_filling.IsFull) Submit(completed);
        }
    }

    // Into the next free slot of the batch being filled.
    private void WriteCrop(RgbImage scene, int x, int y, int rollX, int rollY)
    {
        int size = _model.Inference.InputSize, at = _filling.Count * _cropBytes;
        CropBytes.WriteRolled(scene, x, y, size, rollX, rollY, _filling.Input.AsSpan(at, _cropBytes));
    }

    /// <summary>Runs what is queued and waits for every batch: all works added so far are in <paramref name="completed"/>.</summary>
    public void Flush(List<ImageModelWork> completed)
    {
        if (_filling.Count > 0) Submit(completed);
        if (_running is { } last)
        {
            _running = null;
            Collect(last, completed);
        }
    }

    /// <summary>Stops the model's thread (after the batch it runs, if any).</summary>
    public void Dispose()
    {
        _loop.Dispose();
        foreach (var b in _buffers) b.Dispose();
    }

    // The batch before is waited for first, then this one starts at once and the one before is read while it runs.
    private void Submit(List<ImageModelWork> completed)
    {
        var previous = _running;
        if (previous is not null) InferenceLoop.Wait(previous);
        _loop.Start(_filling);
        _running = _filling;
        _filling = _buffers[0] == _running ? _buffers[1] : _buffers[0];
        if (previous is not null) Collect(previous, completed);
    }

    private void Collect(BatchBuffer batch, List<ImageModelWork> completed)
    {
        InferenceLoop.Wait(batch);
        int d = _model.Inference.OutputDimension;
        for (int s = 0; s < batch.Count; s++)
        {
            var (work, crop) = batch.Slots[s];
            _model.Interpreter.Interpret(batch.Output.AsSpan(s * d, d), work.Outputs, crop, _scratch);
            if (--work.Pending == 0) completed.Add(work);
            batch.Slots[s] = default;
        }
        CropsInferred += batch.Count;
        batch.Count = 0;
    }
}
