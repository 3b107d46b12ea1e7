using System.Threading.Channels;
using RobustCrop.Core.Data;
using RobustCrop.IO.Data;
using RobustCrop.Core.Geometry;
using RobustCrop.Core.Results;
using RobustCrop.IO.Results;
using RobustCrop.Worker.Inference;

namespace RobustCrop.Worker.Pipeline;

/// <summary>
/// Runs one shard: read → decode → plan → batch → infer → metrics → rows. Decoding runs on its own task, ahead of
/// inference by a bounded queue, so the model never waits on JPEG decoding and memory stays bounded.
/// Inference runs on a dedicated thread (<see cref="EvaluateAsync"/>) or on the caller's (<see cref="Evaluate"/>), never
/// on the thread pool that actors' mailboxes share.
/// </summary>
public sealed class ShardEvaluator
{
    private readonly IReadOnlyList<EvaluatedModel> _models;
    private readonly EvaluationSettings _settings;
    private readonly ImagePreparer _preparer;

    public ShardEvaluator(IReadOnlyList<EvaluatedModel> models, EvaluationSettings settings)
    {
        _models = models;
        _settings = settings;
        _preparer = new ImagePreparer(models.Select(m => m.Manifest.SceneFamily).Distinct().ToList(), settings);
    }

    /// <summary>Runs <see cref="Evaluate"/> on a thread of its own; the task completes when the shard is done.</summary>
    /// <param name="onImage">Called after each input is finished (for progress), with crops inferred so far.</param>
    public Task<ShardResult> EvaluateAsync(DatasetShard shard, IEnumerable<ImageRecord> records,
        Action<int, long>? onImage = null, CancellationToken ct = default)
        => DedicatedThread.Run($"shard {shard.Id.Value}", () => Evaluate(shard, records, onImage, ct));

    /// <summary>
    /// Blocks the calling thread for the whole shard, inference included. Synchronous on purpose: an <c>await</c> on
    /// the decode queue would resume on a pool thread and take inference with it.
    /// </summary>
    /// <param name="onImage">Called after each input is finished (for progress), with crops inferred so far.</param>
    public ShardResult Evaluate(DatasetShard shard, IEnumerable<ImageRecord> records,
        Action<int, long>? onImage = null, CancellationToken ct = default)
    {
        var result = new ShardResult(shard.Id.Value);
        foreach (var m in _models) { result.Images[m.Id] = []; result.Crops[m.Id] = []; result.Rics[m.Id] = []; }
        var queue = Channel.CreateBounded<PreparedImage>(new BoundedChannelOptions(16) { SingleReader = true, SingleWriter = true });
        // Cancelled when inference fails, so the reader never stays blocked on a full queue holding the shard's input open.
        using var stopReading = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var readToken = stopReading.Token;
        // Decoding stays on the pool: each image is a short, bounded piece of work, unlike a batch of inference.
        var decode = Task.Run(async () =>
        {
            try
            {
                foreach (var record in records)
                {
                    readToken.ThrowIfCancellationRequested();
                    await queue.Writer.WriteAsync(_preparer.Prepare(record), readToken).ConfigureAwait(false);
                }
                queue.Writer.Complete();
            }
            catch (Exception e) { queue.Writer.Complete(e); }
        }, readToken);

        var batchers = _models.ToDictionary(m => m.Id, m => new ModelBatcher(m, _settings.MaxBatch));
        var completed = new List<ImageModelWork>();
        var pendingPerImage = new Dictionary<string, int>(StringComparer.Ordinal);
        int finished = 0;

        void Drain()
        {
            foreach (var w in completed)
            {
                result.Images[w.Model.Id].Add(RowBuilder.ImageRow(_settings, result.Shard, w));
                result.Crops[w.Model.Id].AddRange(RowBuilder.CropRows(_settings, result.Shard, w));
                result.Rics[w.Model.Id].AddRange(RowBuilder.RicsRows(_settings, result.Shard, w));
                if (--pendingPerImage[w.Image.Key] == 0) { pendingPerImage.Remove(w.Image.Key); onImage?.Invoke(++finished, CropsSoFar()); }
            }
            completed.Clear();
        }
        long CropsSoFar() => batchers.Values.Sum(b => b.CropsInferred);

        try
        {
            var reader = queue.Reader;
            while (WaitToRead(reader, ct))
            while (reader.TryRead(out var image))
            {
                result.Inputs++;
                if (image.IsError)
                {
                    result.Errors.Add(new ErrorRow(_settings.RunId, result.Shard, image.Key, image.ErrorStage!, image.Error!));
                    onImage?.Invoke(++finished, CropsSoFar());
                    continue;
                }
                var works = new List<ImageModelWork>(_models.Count);
                string? planError = null;
                foreach (var m in _models)
                {
                    var scene = image.Scenes[m.Manifest.SceneFamily];
                    var geometry = new SceneGeometry(scene.Width, scene.Height, m.Manifest.ResizeSize, m.Manifest.InputSize);
                    var rics = RicsPlan.Build(scene, geometry, _settings);
                    var plan = CropPlan.Build(geometry, _settings.RealisticShifts, ShiftSets.N1, extraCrops: rics.Crops);
                    if (plan.RealisticShifts.Length == 0) { planError = $"scene {scene.Width}x{scene.Height} leaves no room for any 1-px shift of a {m.Manifest.InputSize}-px crop"; break; }
                    works.Add(new ImageModelWork(image, m, scene, plan, rics));
                }
                if (planError is not null)
                {
                    result.Errors.Add(new ErrorRow(_settings.RunId, result.Shard, image.Key, "plan", planError));
                    onImage?.Invoke(++finished, CropsSoFar());
                    continue;
                }
                pendingPerImage[image.Key] = works.Count;
                foreach (var w in works) batchers[w.Model.Id].Add(w, completed);
                Drain();
            }
        }
        catch
        {
            stopReading.Cancel();
            try { decode.GetAwaiter().GetResult(); } catch (OperationCanceledException) { }
            throw;
        }
        decode.GetAwaiter().GetResult();
        foreach (var b in batchers.Values) b.Flush(completed);
        Drain();
        result.CropsInferred = CropsSoFar();
        return result;
    }

    // ReadAllAsync's loop, waiting by blocking: false once the queue is complete, the decoder's exception if it failed.
    private static bool WaitToRead(ChannelReader<PreparedImage> reader, CancellationToken ct)
    {
        var wait = reader.WaitToReadAsync(ct);
        return wait.IsCompletedSuccessfully ? wait.Result : wait.AsTask().GetAwaiter().GetResult();
    }
}
