using RobustCrop.Core.Geometry;
using RobustCrop.Core.Imaging;

namespace RobustCrop.Worker.Pipeline;

/// <summary>
/// Packs the crops of successive images into fixed-size batches for one model, so that the session always sees full
/// batches regardless of how many crops each image needs. Crops are written straight from the scene into the
/// reusable input buffer (no crop image is ever allocated): normalised floats, or for a model that normalises in its graph
/// (<see cref="IBatchInference.TakesBytes"/>) the crop's raw bytes, a quarter of the size and a block copy per row.
/// </summary>
public sealed class ModelBatcher
{
    private readonly EvaluatedModel _model;
    private readonly float[] _input;
    private readonly byte[] _inputBytes;
    private readonly bool _bytes;
    private readonly float[] _output;
    private readonly float[] _scratch;
    private readonly (ImageModelWork Work, int Crop)[] _slots;
    private readonly int _cropFloats;
    private readonly StageTimes? _times;
    private int _count;

    /// <param name="times">Where crop assembly and inference times are added (the bench); null: not timed.</param>
    public ModelBatcher(EvaluatedModel model, int maxBatch, StageTimes? times = null)
    {
        _model = model;
        _times = times;
        int batch = Math.Max(1, Math.Min(maxBatch, model.Inference.MaxBatch));
        int size = model.Inference.InputSize;
        _cropFloats = 3 * size * size;
        _bytes = model.Inference.TakesBytes;
        _input = _bytes ? [] : new float[batch * _cropFloats];
        _inputBytes = _bytes ? new byte[batch * _cropFloats] : [];
        _output = new float[batch * model.Inference.OutputDimension];
        _scratch = new float[Math.Max(1, model.Interpreter.ClassCount)];
        _slots = new (ImageModelWork, int)[batch];
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
            _slots[_count++] = (work, i);
            if (_count == _slots.Length) Flush(completed);
        }
        if (work.NativeScene is { } native)
        {
            // The model's own preprocessing: the centre crop of the scene at its native resize (no shift, no roll).
            var centre = new SceneGeometry(native.Width, native.Height, work.Model.Manifest.NativeResizeSize!.Value, size).Base;
            WriteCrop(native, centre.X, centre.Y, 0, 0);
            _slots[_count++] = (work, work.NativeIndex);
            if (_count == _slots.Length) Flush(completed);
        }
    }

    // Into the next free slot of the batch buffer.
    private void WriteCrop(RgbImage scene, int x, int y, int rollX, int rollY)
    {
        int size = _model.Inference.InputSize;
        if (_bytes) CropBytes.WriteRolled(scene, x, y, size, rollX, rollY, _inputBytes.AsSpan(_count * _cropFloats, _cropFloats));
        else CropWriter.WriteRolled(scene, x, y, size, rollX, rollY, _model.Normalization, _input.AsSpan(_count * _cropFloats, _cropFloats));
    }

    public void Flush(List<ImageModelWork> completed)
    {
        if (_count == 0) return;
        int d = _model.Inference.OutputDimension;
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        if (_bytes) _model.Inference.RunBytes(_inputBytes.AsSpan(0, _count * _cropFloats), _count, _output.AsSpan(0, _count * d));
        else _model.Inference.Run(_input.AsSpan(0, _count * _cropFloats), _count, _output.AsSpan(0, _count * d));
        _times?.Add(Stage.Infer, started);
        for (int s = 0; s < _count; s++)
        {
            var (work, crop) = _slots[s];
            _model.Interpreter.Interpret(_output.AsSpan(s * d, d), work.Outputs, crop, _scratch);
            if (--work.Pending == 0) completed.Add(work);
            _slots[s] = default;
        }
        CropsInferred += _count;
        _count = 0;
    }
}
