using RobustCrop.Core.Data;
using RobustCrop.Core.Geometry;
using RobustCrop.Core.Motion;
using RobustCrop.Core.Planning;
using RobustCrop.Core.Results;
using RobustCrop.Core.Settings;

namespace RobustCrop.Worker.Pipeline;

/// <summary>Where the pipeline's results go: each command (evaluate, predict, fit-head) is one sink over the same path.</summary>
public interface IPipelineSink
{
    /// <summary>An input that cannot be used (read, decode, or no room for its plan with some model); no model ran on it.</summary>
    void Failed(PreparedImage image, ErrorStage stage, string reason);

    /// <summary>One model's outputs on every planned crop of one image.</summary>
    void Completed(ImageModelWork work);
}

/// <summary>What a pass over some inputs did: inputs seen (usable or not) and crops inferred.</summary>
public readonly record struct PipelineTotals(int Inputs, long CropsInferred);

/// <summary>
/// The one path every command that runs a model takes: prepare (read → decode → resize once per family) → plan
/// (<see cref="ImagePlanner"/>) → batch → infer → emit to a sink. Works finish in a deterministic order for a given input
/// order and batch size, so the rows are the same whichever entry point runs them.
/// </summary>
public sealed class ImagePipeline
{
    private readonly IReadOnlyList<EvaluatedModel> _models;
    private readonly RunSettings _settings;
    private readonly ImagePlanner _planner;

    private readonly PipelineOptions _options;

    /// <param name="motion">Render the run's moved views and plan their crops (evaluate's measurement, DESIGN §4b);
    /// <paramref name="codec"/> re-encodes for jpeg:q.</param>
    public ImagePipeline(IReadOnlyList<EvaluatedModel> models, RunSettings settings, ImagePlanner planner, PipelineOptions? options = null,
        bool motion = false, ISceneCodec? codec = null)
    {
        _models = models;
        _settings = settings;
        _planner = planner;
        _options = options ?? PipelineOptions.Default;
        // A margin model's native resize is one more family: its centre crop gives the native-preprocessing accuracy.
        Preparer = new ImagePreparer(models.Select(m => m.Manifest.SceneFamily)
            .Concat(models.Where(NeedsNative).Select(m => (m.Manifest.NativeResizeSize!.Value, m.Manifest.Interpolation)))
            .Distinct().ToList(), settings, _options.Times,
            motion ? models.Select(m => m.Manifest.SceneFamily).Distinct().ToList() : null, codec);
    }

    public ImagePreparer Preparer { get; }

    private static bool NeedsNative(EvaluatedModel m) => m.Manifest.NativeResizeSize is not null && m.Interpreter.HasClasses;

    /// <summary>Prepares on the calling thread, then infers on it: for callers that already run on a thread of their own.</summary>
    /// <param name="onImage">Called after each input is finished (for progress), with crops inferred so far.</param>
    public PipelineTotals Run(IEnumerable<ImageRecord> records, IPipelineSink sink, Action<int, long>? onImage = null)
    {
        using var pass = new Pass(this, sink, onImage);
        foreach (var record in records) pass.Feed(PrepareAndPlan(record));
        return pass.Finish();
    }

    /// <summary>
    /// The worker's path, a pipeline of bounded stages: inputs are read in order, decoded, resized and planned (RICS
    /// scoring included) on <see cref="PipelineOptions.DecodeThreads"/> pool threads (<see cref="DecodeStage{T}"/>), their
    /// crops assembled into batch buffers on the calling thread while each model runs the previous batch on a thread of
    /// its own (<see cref="ModelBatcher"/>, double-buffered), and metrics and rows made on a results thread
    /// (<see cref="ResultStage"/>). Every queue is bounded. Blocks the calling thread for the whole sequence: synchronous
    /// on purpose, since an <c>await</c> on the decode queue would resume on a pool thread. Callers (actors) run this on a
    /// dedicated thread.
    /// </summary>
    public PipelineTotals RunDecodingAhead(IEnumerable<ImageRecord> records, IPipelineSink sink, Action<int, long>? onImage = null, CancellationToken ct = default)
    {
        using var decode = new DecodeStage<PlannedImage>(PrepareAndPlan, records, _options.DecodeThreads, ct);
        using var results = new ResultStage(sink, onImage, capacity: 4 * Math.Max(1, _models.Count) * decode.Capacity);
        using var pass = new Pass(this, results, results.Progress);
        // On any failure the usings stop the reader (closing the shard's input) and the results thread.
        while (decode.TryNext(out var image, ct)) pass.Feed(image);
        var totals = pass.Finish();
        results.Finish();
        return totals;
    }

    /// <summary>
    /// Decode, resize and plan one input for every model: pure CPU work on the input alone (RICS scoring included), so it
    /// runs on the decode threads, in parallel, and the inference thread only assembles crops and runs the models.
    /// </summary>
    private PlannedImage PrepareAndPlan(ImageRecord record)
    {
        var image = Preparer.Prepare(record);
        if (image.IsError) return new PlannedImage(image, null, image.ErrorStage, image.Error);
        // Every model is planned before any is queued: an input one model cannot use is an error row for all.
        var works = new List<ImageModelWork>(_models.Count);
        foreach (var m in _models)
        {
            var scene = image.Scenes[m.Manifest.SceneFamily];
            var geometry = new SceneGeometry(scene.Width, scene.Height, m.Manifest.ResizeSize, m.Manifest.InputSize);
            long planStarted = System.Diagnostics.Stopwatch.GetTimestamp();
            var plan = _planner.Plan(scene, geometry);
            _options.Times?.Add(Stage.Plan, planStarted);
            if (plan.Crops is null) return new PlannedImage(image, null, ErrorStage.Plan, plan.Error);
            // Only a labelled input whose classes apply can have a native accuracy; others skip the extra crop.
            var native = NeedsNative(m) && image.Label is not null && m.Manifest.ClassesApplyTo(image.Key)
                ? image.Scenes[(m.Manifest.NativeResizeSize!.Value, m.Manifest.Interpolation)]
                : null;
            var motion = image.Views?.TryGetValue(m.Manifest.SceneFamily, out var sets) == true
                ? MotionPlan.Build(sets, scene, plan.Crops, plan.Rics, _settings.Rics.Seed, plan.Crops.Crops.Length + (native is null ? 0 : 1))
                : null;
            works.Add(new ImageModelWork(image, m, scene, plan.Crops, plan.Rics, native, motion));
        }
        return new PlannedImage(image, works, null, null);
    }

    /// <summary>An input ready for inference: its works (one per model), or why it cannot be used.</summary>
    private sealed record PlannedImage(PreparedImage Image, IReadOnlyList<ImageModelWork>? Works, ErrorStage? ErrorStage, string? Error);

    /// <summary>One run over a sequence of inputs: the batchers and the bookkeeping of which inputs are finished.</summary>
    private sealed class Pass : IDisposable
    {
        private readonly ImagePipeline _p;
        private readonly IPipelineSink _sink;
        private readonly Action<int, long>? _onImage;
        private readonly Dictionary<string, ModelBatcher> _batchers;
        private readonly List<ImageModelWork> _completed = [];
        private readonly Dictionary<string, int> _pendingPerImage = new(StringComparer.Ordinal);
        private int _finished, _inputs;

        public Pass(ImagePipeline pipeline, IPipelineSink sink, Action<int, long>? onImage)
        {
            _p = pipeline;
            _sink = sink;
            _onImage = onImage;
            _batchers = pipeline._models.ToDictionary(m => m.Id, m => new ModelBatcher(m, m.BatchFor(pipeline._settings.Batch), pipeline._options.Times));
        }

        /// <summary>Stops the models' threads; on a failure, after the batch each one runs.</summary>
        public void Dispose()
        {
            foreach (var b in _batchers.Values) b.Dispose();
        }

        private long CropsSoFar() => _batchers.Values.Sum(b => b.CropsInferred);

        public void Feed(PlannedImage planned)
        {
            _inputs++;
            var image = planned.Image;
            if (planned.Works is not { } works)
            {
                _sink.Failed(image, planned.ErrorStage!.Value, planned.Error!);
                _onImage?.Invoke(++_finished, CropsSoFar());
                return;
            }
            _pendingPerImage[image.Key] = works.Count;
            foreach (var w in works) _batchers[w.Model.Id].Add(w, _completed);
            Drain();
        }

        public PipelineTotals Finish()
        {
            foreach (var b in _batchers.Values) b.Flush(_completed);
            Drain();
            return new PipelineTotals(_inputs, CropsSoFar());
        }

        private void Drain()
        {
            foreach (var w in _completed)
            {
                _sink.Completed(w);
                if (--_pendingPerImage[w.Image.Key] == 0)
                {
                    _pendingPerImage.Remove(w.Image.Key);
                    _onImage?.Invoke(++_finished, CropsSoFar());
                }
            }
            _completed.Clear();
        }
    }
}
