using RobustCrop.Core.Data;
using RobustCrop.Core.Geometry;
using RobustCrop.Core.Planning;
using RobustCrop.Core.Results;
using RobustCrop.Core.Settings;
using RobustCrop.Worker.Pipeline;
using static RobustCrop.Worker.Tests.Pipeline.PipelineHarness;

namespace RobustCrop.Worker.Tests.Pipeline;

/// <summary>
/// The worker's stages (parallel decode, inference, results on their own thread) keep what the single-threaded pipeline
/// guaranteed: rows in input order and identical whatever the thread count, bounded memory, and a failure anywhere stops
/// the shard with that failure and closes its input.
/// </summary>
public class PipelineStagesTests
{
    private const int Crop = 16;
    private const int Resize = Crop + 8;

    [Fact]
    public void Rows_are_the_same_in_the_same_order_with_one_or_four_decode_threads()
    {
        using var model = Model(TinyModels.GlobalAverage(Crop), "avg", Crop, Resize);
        var settings = new RunSettings(new RunId("r")) { WindowK = 1, Batch = 4 };
        // Inputs of very different sizes, so their preparations finish out of order on four threads.
        var random = new Random(7);
        var records = Enumerable.Range(0, 24).Select(i =>
        {
            int side = i % 3 == 0 ? 400 : Resize + i;
            return new ImageRecord($"in/{i:D3}", null, null, Noise(side, side + 3, random));
        }).ToList();

        var one = Evaluate(model, settings, records, decodeThreads: 1);
        var four = Evaluate(model, settings, records, decodeThreads: 4);

        Assert.Equal(records.Select(r => r.Key), one.Images["avg"].Select(r => r.ImageKey));
        Assert.Equal(one.Images["avg"], four.Images["avg"]);
        Assert.Equal(one.Crops["avg"].Count, four.Crops["avg"].Count);
        Assert.Equal(one.Crops["avg"].Select(c => (c.ImageKey, c.Kind, c.Dx, c.Dy, c.CosineToBase)), four.Crops["avg"].Select(c => (c.ImageKey, c.Kind, c.Dx, c.Dy, c.CosineToBase)));
    }

    [Fact]
    public void A_sink_that_throws_stops_the_shard_with_its_exception_and_closes_the_input()
    {
        using var model = Model(TinyModels.GlobalAverage(Crop), "avg", Crop, Resize);
        var settings = new RunSettings(new RunId("r")) { WindowK = 1, Batch = 2 };
        var pipeline = new ImagePipeline([model], settings, ImagePlanner.Measurement(settings), new PipelineOptions { DecodeThreads = 2 });
        var source = new CountingSource(NoiseRecords(400, Resize, Resize, seed: 3));

        var e = Assert.Throws<InvalidOperationException>(() => pipeline.RunDecodingAhead(source, new ThrowingSink(after: 3)));

        Assert.Equal("sink failed on image 3", e.Message);
        Assert.True(source.Closed, "the input was left open");
        Assert.True(source.Pulled < 400, $"the whole input was read after the failure ({source.Pulled})");
    }

    [Fact]
    public void A_stalled_sink_holds_the_reader_to_a_bounded_number_of_inputs_and_cancelling_closes_the_input()
    {
        using var model = Model(TinyModels.GlobalAverage(Crop), "avg", Crop, Resize);
        var settings = new RunSettings(new RunId("r")) { WindowK = 1, Batch = 2 };
        var pipeline = new ImagePipeline([model], settings, ImagePlanner.Measurement(settings), new PipelineOptions { DecodeThreads = 4 });
        var source = new CountingSource(Endless());
        using var release = new ManualResetEventSlim();
        using var cts = new CancellationTokenSource();
        var sink = new BlockingSink(release);

        var run = Task.Factory.StartNew(() => pipeline.RunDecodingAhead(source, sink, ct: cts.Token), TaskCreationOptions.LongRunning);
        // Wait until the reader stops advancing: it is then held by back-pressure, not by a slow machine.
        int last = -1;
        for (int i = 0; i < 200 && source.Pulled != last; i++) { last = source.Pulled; Thread.Sleep(100); }
        int held = source.Pulled;
        cts.Cancel();
        release.Set();

        Assert.ThrowsAny<OperationCanceledException>(() => run.GetAwaiter().GetResult());
        // Decode queue (16) + preparations (4) + results queue (4 × 1 model × 16 = 64 items, an image and its progress
        // taking two) + one batch: far below what an unbounded stage would pull from an endless source in seconds.
        Assert.InRange(held, 1, 16 + 4 + 64 + 2 + 4);
        Assert.True(source.Closed, "the input was left open");

        static IEnumerable<ImageRecord> Endless()
        {
            var random = new Random(5);
            for (int i = 0; ; i++) yield return new ImageRecord($"endless/{i}", null, null, Noise(Resize, Resize, random));
        }
    }

    [Fact]
    public void The_next_batch_is_filled_while_the_model_runs_the_current_one()
    {
        using var model = Model(TinyModels.GlobalAverage(Crop), "avg", Crop, Resize);
        var settings = new RunSettings(new RunId("r")) { WindowK = 1, Batch = 64 };
        var source = new CountingSource(NoiseRecords(12, Resize, Resize, seed: 9));
        // The first batch (64 crops: the first fillFirst inputs) holds the model until the pipeline has read one input more:
        // it can only do so while that batch runs if it fills the next one meanwhile. A single buffer would wait here
        // for 10 s and the test would fail.
        var planner = ImagePlanner.Measurement(settings);
        int perInput = planner.Plan(Noise(Resize, Resize, new Random(1)), new SceneGeometry(Resize, Resize, Resize, Crop)).Crops!.Crops.Length;
        int fillFirst = (64 + perInput - 1) / perInput;
        Assert.InRange(perInput, 2, 63);
        var gated = new GatedInference(model.Inference, () => source.Pulled >= fillFirst + 1);
        var watched = new EvaluatedModel(model.Manifest, gated, model.Normalization, model.Interpreter, model.Device);
        var pipeline = new ImagePipeline([watched], settings, planner);
        var sink = new CountingSink();

        var totals = pipeline.Run(source, sink);

        Assert.True(gated.Overlapped, "the pipeline read nothing while the first batch ran");
        Assert.Equal(12, sink.Works);
        Assert.Equal(totals.CropsInferred, gated.Crops);
    }

    private static ShardResult Evaluate(EvaluatedModel model, RunSettings settings, IEnumerable<ImageRecord> records, int decodeThreads)
        => new ShardEvaluator([model], settings, new PipelineOptions { DecodeThreads = decodeThreads })
            .Evaluate(new DatasetShard(new ShardId(0), ShardSource.Of("memory"), 0, -1), records);

    /// <summary>An input that counts what was read and whether it was closed (disposed), as a shard's reader is.</summary>
    private sealed class CountingSource(IEnumerable<ImageRecord> inner) : IEnumerable<ImageRecord>
    {
        private int _pulled;
        private volatile bool _closed;

        public int Pulled => Volatile.Read(ref _pulled);
        public bool Closed => _closed;

        public IEnumerator<ImageRecord> GetEnumerator()
        {
            try
            {
                foreach (var r in inner)
                {
                    Interlocked.Increment(ref _pulled);
                    yield return r;
                }
            }
            finally { _closed = true; }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    private sealed class ThrowingSink(int after) : IPipelineSink
    {
        private int _completed;

        public void Failed(PreparedImage image, ErrorStage stage, string reason) { }

        public void Completed(ImageModelWork work)
        {
            if (++_completed == after) throw new InvalidOperationException($"sink failed on image {after}");
        }
    }

    private sealed class CountingSink : IPipelineSink
    {
        public int Works { get; private set; }

        public void Failed(PreparedImage image, ErrorStage stage, string reason) { }

        public void Completed(ImageModelWork work) => Works++;
    }

    /// <summary>Holds its first batch until <paramref name="readOn"/> holds (or 10 s pass), then runs the real model.</summary>
    private sealed class GatedInference(IBatchInference inner, Func<bool> readOn) : IBatchInference
    {
        private bool _first = true;

        public bool Overlapped { get; private set; }
        public long Crops { get; private set; }
        public int InputSize => inner.InputSize;
        public int OutputDimension => inner.OutputDimension;
        public int MaxBatch => inner.MaxBatch;

        public void Run(ReadOnlySpan<byte> input, int batch, Span<float> output)
        {
            Gate(batch);
            inner.Run(input, batch, output);
        }

        private void Gate(int batch)
        {
            if (_first)
            {
                _first = false;
                Overlapped = SpinWait.SpinUntil(readOn, TimeSpan.FromSeconds(10));
            }
            Crops += batch;
        }

        public void Dispose() { }
    }

    private sealed class BlockingSink(ManualResetEventSlim release) : IPipelineSink
    {
        public void Failed(PreparedImage image, ErrorStage stage, string reason) { }

        public void Completed(ImageModelWork work) => release.Wait();
    }
}
