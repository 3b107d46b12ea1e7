using RobustCrop.Core.Data;
using RobustCrop.Core.Settings;
using RobustCrop.Worker.Pipeline;
using static RobustCrop.Worker.Tests.Pipeline.PipelineHarness;

namespace RobustCrop.Worker.Tests.Pipeline;

/// <summary>
/// Inference keeps a thread of its own for the whole shard, also when it has to wait for the decoder: a wait that
/// resumed on the thread pool (what an <c>await</c> on the queue did) would run every later batch there.
/// </summary>
public class InferenceThreadTests
{
    private const int Crop = 16;
    private const int Resize = Crop + 8;

    [Fact]
    public async Task EvaluateAsync_runs_every_batch_on_one_dedicated_thread_even_when_waiting_for_input()
    {
        using var model = Model(TinyModels.GlobalAverage(Crop), "avg", Crop, Resize);
        var recording = new RecordingInference(model.Inference);
        var watched = new EvaluatedModel(model.Manifest, recording, model.Normalization, model.Interpreter, model.Device);
        // MaxBatch 4: several batches per shard. The slow source keeps the queue empty, so inference waits for every image.
        var evaluator = new ShardEvaluator([watched], new RunSettings(new RunId("r")) { WindowK = 1, Batch = 4 });

        var result = await evaluator.EvaluateAsync(new DatasetShard(new ShardId(0), ShardSource.Of("memory"), 0, -1), Slowly(NoiseRecords(6, Resize, Resize, seed: 4)));

        Assert.Equal(6, result.Images["avg"].Count);
        var threads = recording.Threads;
        Assert.True(threads.Count > 6, $"expected several batches, saw {threads.Count}");
        Assert.All(threads, t => Assert.False(t.Pool, "a batch ran on a thread-pool thread"));
        Assert.Single(threads.Select(t => t.Id).Distinct());
    }

    private static IEnumerable<ImageRecord> Slowly(IEnumerable<ImageRecord> records)
    {
        foreach (var r in records)
        {
            Thread.Sleep(20);
            yield return r;
        }
    }

    private sealed class RecordingInference(IBatchInference inner) : IBatchInference
    {
        private readonly List<(int Id, bool Pool)> _threads = [];

        public int InputSize => inner.InputSize;
        public int OutputDimension => inner.OutputDimension;
        public int MaxBatch => inner.MaxBatch;

        public List<(int Id, bool Pool)> Threads { get { lock (_threads) return [.. _threads]; } }


        public void Run(ReadOnlySpan<byte> input, int batch, Span<float> output)
        {
            lock (_threads) _threads.Add((Environment.CurrentManagedThreadId, Thread.CurrentThread.IsThreadPoolThread));
            inner.Run(input, batch, output);
        }

        public void Dispose() { }
    }
}
