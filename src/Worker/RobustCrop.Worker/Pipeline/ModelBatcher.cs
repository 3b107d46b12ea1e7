using RobustCrop.Core.Geometry;
using RobustCrop.Core.Imaging;

namespace RobustCrop.Worker.Pipeline;

/// <summary>
/// Packs the crops of successive images into fixed-size batches for one model, so that the session always sees full
/// batches regardless of how many crops each image needs. Crops are written straight from the scene into the
/// reusable input buffer (no crop image is ever allocated).
/// </summary>
public sealed class ModelBatcher
{
    private readonly EvaluatedModel _model;
    private readonly float[] _input;
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
        _input = new float[batch * _cropFloats];
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
            CropWriter.WriteRolled(work.Scene, c.Position.X, c.Position.Y, size, c.RollX, c.RollY,
                _model.Normalization, _input.AsSpan(_count * _cropFloats, _cropFloats));
            _times?.Add(Stage.CropAssembly, started);
            _slots[_count++] = (work, i);
            if (_count == _slots.Length) Flush(completed);
        }
        if (work.NativeScene is { } native)
        {
            // The model's own preprocessing: the centre crop of the scene at its native resize (no shift, no roll).
            var centre = new SceneGeometry(native.Width, native.Height, work.Model.Manifest.NativeResizeSize!.Value, size).Base;
            CropWriter.Write(native, centre.X, centre.Y, size, _model.Normalization, _input.AsSpan(_count * _cropFloats, _cropFloats));
            _slots[_count++] = (work, work.NativeIndex);
            if (_count == _slots.Length) Flush(completed);
        }
    }

    public void Flush(List<ImageModelWork> completed)
    {
        if (_count == 0) return;
        int d = _model.Inference.OutputDimension;
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        _model.Inference.Run(_input.AsSpan(0, _count * _cropFloats), _count, _output.AsSpan(0, _count * d));
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
