using RobustCrop.Core.Metrics;
using RobustCrop.Core.Results;
using RobustCrop.IO.Results;
using RobustCrop.IO.Storage;

namespace RobustCrop.IO.Tests.Results;

/// <summary>The streaming aggregation gives the summary the in-memory one gave, on generated runs with known answers.</summary>
public sealed class StreamingAggregatorTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "robustcrop-streamagg-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly LocalFolderStore _store;
    private readonly RunLayout _layout = new("r1");

    public StreamingAggregatorTests()
    {
        Directory.CreateDirectory(_root);
        _store = new LocalFolderStore(_root);
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private static ImageRow Image(int shard, int i, string model)
    {
        bool photo = i % 2 == 0;
        string key = photo ? $"photos/s{shard}-{i:D6}.jpg" : $"fashion-mnist/t10k/{shard}{i:D6}";
        bool measured = i % 4 != 3;
        return new ImageRow("r1", shard, key, photo ? null : "Bag", model, 100, 100, 256, 256, 5 + i % 3,
            1, "Bag", 0.5f, photo ? null : i % 5 != 0,
            measured ? 4 : 0, measured ? 1 - (i % 3) * 0.25 : null, measured ? i % 3 == 0 : null,
            i % 6 == 0 ? 2 : 0, i % 6 == 0 ? 24 : 0, i % 6 == 0 ? i % 12 == 0 : null,
            measured ? 1 - ((i * 7919) % 1000) / 1e4 - shard * 1e-5 : 1, measured && i % 5 == 1,
            i % 2, i % 2 == 1 ? 0.75 : null, i % 2 == 1 ? i % 3 == 1 : null, 0.99, i % 7 == 0,
            CorrectNative: photo ? null : i % 3 != 0, Cosine1pxMean: measured ? 1 - (i % 4) * 0.01 : null);
    }

    private static IEnumerable<RicsRow> Rics(ImageRow r, int i)
    {
        foreach (int n in new[] { 5, 9 })
            yield return new RicsRow("r1", r.Shard, r.ImageKey, r.Label, r.Model, n, "hash", 1, "Bag", 0.5f, r.Correct,
                i % n - n / 2, 0, 5, i % 3, r.Shifts1px, r.Consistency1px is { } c ? Math.Min(1, c + 0.25) : null, r.Fooled1px,
                r.Cosine1pxMin, r.Changed1px, r.WindowK, r.WindowShifts, r.FooledWindow);
        yield return new RicsRow("r1", r.Shard, r.ImageKey, r.Label, r.Model, 4, "cyclic", 1, "Bag", 0.5f, r.Correct,
            i % 4 == 0 ? 0 : 1, 0, 5, 0, r.Shifts1px, r.Shifts1px > 0 ? 1.0 : null, r.Shifts1px > 0 ? false : null, 1, false,
            RealisticShifts1px: r.Shifts1px, RealisticConsistency1px: r.Consistency1px, RealisticFooled1px: r.Fooled1px,
            RealisticCosine1pxMin: r.Shifts1px > 0 ? r.Cosine1pxMin - 0.001 * (i % 3) : null, RealisticChanged1px: r.Shifts1px > 0 ? i % 3 == 2 : null);
    }

    /// <summary>Shard <paramref name="shard"/> of <paramref name="perShard"/> inputs: model m-b has no row for input 0
    /// (an inference error of that model alone), shard s has s + 1 error rows.</summary>
    /// <param name="shuffled">Write the images and rics files with their columns in reverse order and row groups of 7 rows,
    /// as another writer may lay them out: every reader must pick columns by name.</param>
    private async Task WriteShardAsync(int shard, int perShard, string[] models, bool manifest, bool shuffled = false)
    {
        var files = new List<ManifestFile>();
        var meta = new Dictionary<string, string> { [RunAggregator.TauMetadataKey] = "0.95", [ResultMetadataKeys.Dataset] = "photos+fashion-mnist" };
        foreach (var model in models)
        {
            var images = Enumerable.Range(0, perShard).Where(i => model != "m-b" || i != 0).Select(i => (I: i, Row: Image(shard, i, model))).ToList();
            var rics = images.SelectMany(x => Rics(x.Row, x.I)).ToList();
            string ip = _layout.ImagesPart(model, shard), rp = _layout.RicsPart(model, shard);
            var imageRows = images.Select(x => x.Row).ToList();
            if (shuffled)
            {
                var partition = new Dictionary<string, string>(meta) { [ResultMetadataKeys.Model] = model };
                await _store.WriteAsync(ip, s => Reversed(ImagesSchema.Columns).WriteAsync(s, imageRows, partition, 7, default));
                await _store.WriteAsync(rp, s => Reversed(RicsSchema.Columns).WriteAsync(s, rics, partition, 7, default));
            }
            else
            {
                await _store.WriteAsync(ip, s => ResultParquet.WritePartitionRowsAsync(s, model, imageRows, r => r.Model, meta));
                await _store.WriteAsync(rp, s => ResultParquet.WritePartitionRowsAsync(s, model, rics, r => r.Model));
            }
            files.Add(new ManifestFile(ip, images.Count, 0, "0000000000000000"));
            files.Add(new ManifestFile(rp, rics.Count, 0, "0000000000000000"));
        }
        var errors = Enumerable.Range(0, shard + 1).Select(i => new ErrorRow("r1", shard, $"photos/bad-{shard}-{i}.jpg", "decode", "corrupt")).ToList();
        await _store.WriteAsync(_layout.ErrorsPart(shard), s => ResultParquet.WriteErrorRowsAsync(s, errors));
        files.Add(new ManifestFile(_layout.ErrorsPart(shard), errors.Count, 0, "0000000000000000"));
        if (manifest)
            await _store.WriteTextAsync(_layout.ShardManifest(shard), ShardManifestIo.Serialize(new ShardManifest(
                "r1", shard, "test", perShard, errors.Count, files, "w", "0", null, models, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch)));
    }

    private static ParquetColumns<TRow> Reversed<TRow>(IReadOnlyList<ResultColumn<TRow>> columns) where TRow : class
        => new([.. columns.Where(c => c.Name != "model").Reverse()]);

    private static string Json(RunSummary s) => RunSummaryIo.Serialize(s with { CreatedUtc = null });

    [Fact]
    public async Task Streaming_equals_the_in_memory_summary_on_a_composite_two_model_run()
    {
        string[] models = ["m-a", "m-b"];
        for (int s = 0; s < 3; s++) await WriteShardAsync(s, 40, models, manifest: true);
        // Shard 3 failed before its manifest: its rows are no results.
        await WriteShardAsync(3, 40, models, manifest: false);
        var state = await RunStateIo.ReadAsync(_store, _layout, default);
        var facts = new[] { new ModelFacts("m-a", "cpu", 224, 256), new ModelFacts("m-b", "cpu", 224, 256), new ModelFacts("m-c", "cpu", 224, 256) };

        var streamed = await RunAggregator.AggregateAsync(_store, _layout, state, "photos+fashion-mnist", facts, default);
        var inMemory = await InMemoryAggregator.AggregateAsync(_store, _layout, state, "photos+fashion-mnist", facts, default);

        Assert.Equal(Json(inMemory), Json(streamed));
        // Known answers: 3 shards x 40 inputs, each counted once although two models have rows for it (m-b lacks input 0,
        // which m-a still counts); 1 + 2 + 3 errors; τ from the files; m-c (no rows) has one empty entry per dataset.
        Assert.Equal(120, streamed.Images);
        Assert.Equal(6, streamed.Errors);
        Assert.Equal(0.95, streamed.Tau);
        Assert.Equal(2, streamed.WindowK);
        Assert.Equal(6, streamed.Models.Count);
        var photosB = streamed.Models.Single(m => m.Model == "m-b" && m.Dataset == "photos");
        Assert.Equal(57, photosB.Images);
        Assert.Null(photosB.Accuracy);
        var digitsA = streamed.Models.Single(m => m.Model == "m-a" && m.Dataset == "fashion-mnist");
        Assert.Equal(60, digitsA.Images);
        Assert.Equal(60, digitsA.ImagesWithLabels);
        // Odd inputs 1..39: i % 4 == 3 are unmeasured (10 of 20 per shard), fooled where i % 3 == 0 among 1, 5, 9, ... 37.
        Assert.Equal(30, digitsA.ImagesWithoutShifts);
        Assert.Equal(3.0 / 10, digitsA.Realistic.Fooled1px);
        Assert.Equal(["hash", "hash"], digitsA.Rics.Select(r => r.Score));
        Assert.Equal([5, 9], digitsA.Rics.Select(r => r.Window));
        Assert.Equal(60, digitsA.RicsCyclic!.Images);
        // Odd inputs 1..39 natively correct unless i % 3 == 0 (3, 9, 15, 21, 27, 33, 39): 13 of 20.
        Assert.Equal(13.0 / 20, digitsA.AccuracyNative);
        Assert.Null(photosB.AccuracyNative);
        // cosine_1px_mean over measured odd inputs: i % 4 == 1 only (i % 4 == 3 unmeasured), each 0.99.
        Assert.Equal(0.99, digitsA.Realistic.Mean("cosine_1px_mean")!.Value, 12);
        var empty = streamed.Models.Where(m => m.Model == "m-c").ToList();
        Assert.Equal(["photos", "fashion-mnist"], empty.Select(m => m.Dataset!));
        Assert.All(empty, m => Assert.Null(m.Realistic.Cosine1pxMin.P05));
    }

    [Fact]
    public async Task Columns_are_read_by_name_so_a_file_in_another_column_order_summarises_the_same()
    {
        string[] models = ["m-a", "m-b"];
        for (int s = 0; s < 2; s++) await WriteShardAsync(s, 40, models, manifest: true);
        var state = await RunStateIo.ReadAsync(_store, _layout, default);
        var inOrder = await RunAggregator.AggregateAsync(_store, _layout, state, "photos+fashion-mnist", null, default);
        for (int s = 0; s < 2; s++) await WriteShardAsync(s, 40, models, manifest: true, shuffled: true);

        var shuffled = await RunAggregator.AggregateAsync(_store, _layout, state, "photos+fashion-mnist", null, default);

        Assert.Equal(Json(inOrder), Json(shuffled));
        Assert.Equal(Json(await InMemoryAggregator.AggregateAsync(_store, _layout, state, "photos+fashion-mnist", null, default)), Json(shuffled));
        Assert.Equal(80, shuffled.Images);
    }

    [Fact]
    public async Task Beyond_the_sketch_capacity_p05_is_within_its_bound_and_everything_else_is_equal()
    {
        // 2 shards of 76,000 inputs, half photos, all measured: 76,000 measured photos pass the exact capacity, while the
        // 38,000 measured digits stay exact.
        int perShard = 2 * 38_000;
        for (int s = 0; s < 2; s++) await WriteShardAsync(s, perShard, ["m-a"], manifest: true);
        var state = await RunStateIo.ReadAsync(_store, _layout, default);

        var streamed = await RunAggregator.AggregateAsync(_store, _layout, state, "photos+fashion-mnist", null, default);
        var inMemory = await InMemoryAggregator.AggregateAsync(_store, _layout, state, "photos+fashion-mnist", null, default);

        var photos = streamed.Models.Single(m => m.Dataset == "photos");
        var exact = inMemory.Models.Single(m => m.Dataset == "photos");
        Assert.True(exact.Realistic.Cosine1pxMin.Mean > 0, "the photos entry has measured images");
        // The photos' measured cosines, to name the order statistics around p05 the bound is stated for.
        var cosines = new List<double>();
        for (int s = 0; s < 2; s++)
            for (int i = 0; i < perShard; i++)
                if (Image(s, i, "m-a") is { Label: null, Shifts1px: > 0 } r) cosines.Add(r.Cosine1pxMin);
        Assert.True(cosines.Count > CosineSketch.ExactCapacity, $"{cosines.Count} measured photos must pass the exact capacity");
        cosines.Sort();
        double pos = 0.05 * (cosines.Count - 1);
        double lo = cosines[(int)Math.Floor(pos)], hi = cosines[(int)Math.Floor(pos) + 1];
        double bound = CosineSketch.RelativeAccuracy * Math.Max(1 - lo, 1 - hi) + CosineSketch.ZeroWidth;
        Assert.Equal(exact.Realistic.Cosine1pxMin.P05!.Value, photos.Realistic.Cosine1pxMin.P05!.Value, bound);

        // Cyclic RICS's realistic cosines (the same images, a little lower) pass the capacity too: the same bound, with the
        // distance of the exact p05 (its neighbouring order statistics are within 1e-4 of it here).
        var exactCyclic = exact.RicsCyclic!.Realistic!.Cosine1pxMin;
        Assert.Equal(exactCyclic.P05!.Value, photos.RicsCyclic!.Realistic!.Cosine1pxMin.P05!.Value,
            CosineSketch.RelativeAccuracy * (1 - exactCyclic.P05.Value + 1e-4) + CosineSketch.ZeroWidth);

        // The photos' RICS entries pass the capacity too: their p05 comes from the same sketch (within its bound, here
        // far below 1e-4 of 1 − cos).
        for (int i = 0; i < photos.Rics.Count; i++)
            Assert.Equal(exact.Rics[i].Cosine1pxMin!.P05!.Value, photos.Rics[i].Cosine1pxMin!.P05!.Value, 1e-4);

        // Everything but those numbers is the same.
        var same = streamed with
        {
            Models = streamed.Models.Select(m => m.Dataset == "photos"
                ? m with
                {
                    Realistic = m.Realistic with { Cosine1pxMin = exact.Realistic.Cosine1pxMin },
                    RicsCyclic = m.RicsCyclic! with { Realistic = m.RicsCyclic.Realistic! with { Cosine1pxMin = exactCyclic } },
                    Rics = [.. m.Rics.Select((r, i) => r with { Cosine1pxMin = exact.Rics[i].Cosine1pxMin })],
                }
                : m).ToList(),
        };
        Assert.Equal(Json(inMemory), Json(same));
    }
}
