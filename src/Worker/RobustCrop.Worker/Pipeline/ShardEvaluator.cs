using RobustCrop.Core.Data;
using RobustCrop.Core.Measurement;
using RobustCrop.Core.Planning;
using RobustCrop.Core.Results;
using RobustCrop.Core.Settings;

namespace RobustCrop.Worker.Pipeline;

/// <summary>
/// Runs one shard: the <see cref="ImagePipeline"/> with the measurement plan, its outputs turned into result rows.
/// Decoding runs ahead of inference; callers (actors) run this on a dedicated thread, never on their mailbox.
/// </summary>
public sealed class ShardEvaluator(IReadOnlyList<EvaluatedModel> models, RunSettings settings, PipelineOptions? options = null)
{
    private readonly ImagePipeline _pipeline = new(models, settings, ImagePlanner.Measurement(settings), options,
        motion: settings.Motion.Length > 0, codec: IO.Imaging.JpegSceneCodec.Instance);

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
        var result = new ShardResult(shard.Id);
        foreach (var m in models) { result.Images[m.Id] = []; result.Crops[m.Id] = []; result.Rics[m.Id] = []; result.Motion[m.Id] = []; }
        var totals = _pipeline.RunDecodingAhead(records, new RowSink(settings, result, options?.Times), onImage, ct);
        result.Inputs = totals.Inputs;
        result.CropsInferred = totals.CropsInferred;
        return result;
    }

    /// <summary>Each finished image × model becomes its images, crops and rics rows; each unusable input one error row.</summary>
    private sealed class RowSink(RunSettings settings, ShardResult result, StageTimes? times) : IPipelineSink
    {
        public void Failed(PreparedImage image, ErrorStage stage, string reason)
            => result.Errors.Add(RowBuilder.ErrorRow(settings, result.Shard, image.Key, stage, reason));

        public void Completed(ImageModelWork w)
        {
            long started = System.Diagnostics.Stopwatch.GetTimestamp();
            var measured = w.Measured;
            result.Images[w.Model.Id].Add(RowBuilder.ImageRow(settings, result.Shard, measured));
            result.Crops[w.Model.Id].AddRange(RowBuilder.CropRows(settings, result.Shard, measured));
            result.Rics[w.Model.Id].AddRange(RowBuilder.RicsRows(settings, result.Shard, measured));
            result.Motion[w.Model.Id].AddRange(MotionRows.Build(settings, result.Shard, measured));
            times?.Add(Stage.Metrics, started);
        }
    }
}
