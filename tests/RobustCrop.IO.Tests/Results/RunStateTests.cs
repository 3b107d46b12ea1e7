using RobustCrop.Core.Results;
using RobustCrop.Core.Settings;
using RobustCrop.IO.Results;
using RobustCrop.IO.Storage;

namespace RobustCrop.IO.Tests.Results;

/// <summary>A run is what its plan says: the plan is stored at the first start, a differing resume is refused, and only
/// shards with a manifest count in the summary.</summary>
public sealed class RunStateTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "robustcrop-runstate-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly LocalFolderStore _store;
    private readonly RunLayout _layout = new("r1");

    public RunStateTests()
    {
        Directory.CreateDirectory(_root);
        _store = new LocalFolderStore(_root);
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private static RunPlan Plan(int limit = 5, int shards = 2) => new(
        "/data/photos", "photos", 256, limit, ["resnet18"], 0.99, 2, "none", false, 40_000_000, shards, 10);

    private static ImageRow Image(string key, bool? fooled, bool? correct, string? label) => new(
        "r1", 0, key, label, "resnet18", 100, 100, 256, 256, 10, 1, "a", 0.5f, correct,
        8, fooled == true ? 0.5 : 1.0, fooled, 0, 0, null, 0.9, false, 0, null, null, 1.0, false);

    /// <summary>Writes shard <paramref name="shard"/>'s images and errors files and, when <paramref name="manifest"/>, its manifest.</summary>
    private async Task WriteShardAsync(int shard, IReadOnlyList<ImageRow> images, int errors, bool manifest)
    {
        var files = new List<ManifestFile>();
        string imagesPath = _layout.ImagesPart("resnet18", shard);
        await _store.WriteAsync(imagesPath, s => ResultParquet.WritePartitionRowsAsync(s, "resnet18", images, r => r.Model));
        files.Add(new ManifestFile(imagesPath, images.Count, 0, "0000000000000000"));
        var errorRows = Enumerable.Range(0, errors).Select(i => new ErrorRow("r1", shard, $"photos/bad-{shard}-{i}.jpg", "decode", "corrupt")).ToList();
        await _store.WriteAsync(_layout.ErrorsPart(shard), s => ResultParquet.WriteErrorRowsAsync(s, errorRows));
        files.Add(new ManifestFile(_layout.ErrorsPart(shard), errors, 0, "0000000000000000"));
        if (manifest)
            await _store.WriteTextAsync(_layout.ShardManifest(shard), ShardManifestIo.Serialize(new ShardManifest(
                "r1", shard, "test", images.Count, errors, files, "w", "0", null, ["resnet18"], DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch)));
    }

    [Fact]
    public async Task The_first_start_stores_the_plan_and_a_resume_with_the_same_plan_continues()
    {
        Assert.False(await RunStateIo.StoreOrCheckPlanAsync(_store, _layout, Plan(), default));
        Assert.Equal(Plan().Limit, (await RunStateIo.ReadPlanAsync(_store, _layout, default))!.Limit);
        Assert.True(await RunStateIo.StoreOrCheckPlanAsync(_store, _layout, Plan(), default));
    }

    [Fact]
    public async Task A_resume_with_another_plan_is_refused_with_one_line_naming_the_difference()
    {
        await RunStateIo.StoreOrCheckPlanAsync(_store, _layout, Plan(limit: 5), default);
        await WriteShardAsync(0, [Image("photos/a.png", false, null, null)], 0, manifest: true);

        var e = await Assert.ThrowsAsync<RunPlanMismatchException>(() =>
            RunStateIo.StoreOrCheckPlanAsync(_store, _layout, Plan(limit: 0, shards: 3) with { Models = ["resnet18", "resnet18-blur"] }, default));
        Assert.DoesNotContain('\n', e.Message);
        Assert.Contains("--limit 5 → 0", e.Message);
        Assert.Contains("--model resnet18 → resnet18,resnet18-blur", e.Message);
        Assert.Contains("new --run-id", e.Message);
        // The stored plan is untouched.
        Assert.Equal(5, (await RunStateIo.ReadPlanAsync(_store, _layout, default))!.Limit);
    }

    [Fact]
    public async Task A_second_start_with_another_plan_before_the_first_shard_is_done_is_refused_not_replacing_the_plan()
    {
        // It replaced the stored plan ("nothing was done under it"), while the first start was still running its shards.
        await RunStateIo.StoreOrCheckPlanAsync(_store, _layout, Plan(limit: 5), default);
        var e = await Assert.ThrowsAsync<RunPlanMismatchException>(() => RunStateIo.StoreOrCheckPlanAsync(_store, _layout, Plan(limit: 0), default));
        Assert.Contains("--limit 5 → 0", e.Message);
        Assert.Equal(5, (await RunStateIo.ReadPlanAsync(_store, _layout, default))!.Limit);
    }

    [Fact]
    public async Task Of_starts_of_one_run_at_the_same_instant_with_other_plans_exactly_one_claims_it()
    {
        // --window 1 and --window 2 under one run id at the same instant both ran, mixing 70 rows of one with 730 of the other.
        for (int trial = 0; trial < 20; trial++)
        {
            var layout = new RunLayout($"race{trial}");
            var starts = Enumerable.Range(1, 8).Select(w => Task.Run(async () =>
            {
                try
                {
                    return await RunStateIo.StoreOrCheckPlanAsync(new LocalFolderStore(_store.Root), layout, Plan() with { WindowK = w }, default) ? "resumed" : "claimed";
                }
                catch (RunPlanMismatchException)
                {
                    return "refused";
                }
            })).ToArray();
            var outcomes = await Task.WhenAll(starts);
            Assert.Equal(1, outcomes.Count(o => o == "claimed"));
            Assert.Equal(7, outcomes.Count(o => o == "refused"));
            int winner = Array.IndexOf(outcomes, "claimed") + 1;
            Assert.Equal(winner, (await RunStateIo.ReadPlanAsync(_store, layout, default))!.WindowK);
        }
    }

    [Fact]
    public async Task Only_shards_with_a_manifest_count_and_the_run_reports_how_far_it_got()
    {
        await RunStateIo.StoreOrCheckPlanAsync(_store, _layout, Plan(shards: 2), default);
        await WriteShardAsync(0, [Image("photos/a.png", true, null, null), Image("photos/b.png", false, null, null)], 1, manifest: true);
        // Shard 1 failed after writing its images file: those rows are not results.
        await WriteShardAsync(1, [Image("photos/c.png", true, null, null), Image("photos/d.png", true, null, null)], 3, manifest: false);

        var state = await RunStateIo.ReadAsync(_store, _layout, default);
        Assert.False(state.Finished);
        Assert.Equal("unfinished: 1/2 shards", state.Progress);

        var summary = await RunAggregator.AggregateAsync(_store, _layout, state, "photos", null, default);
        Assert.Equal(2, summary.Images);
        Assert.Equal(1, summary.Errors);
        var model = Assert.Single(summary.Models);
        Assert.Equal(0.5, model.Realistic.Fooled1px);
        Assert.Equal("photos", model.Dataset);
    }

    [Fact]
    public async Task A_composite_run_is_summarised_once_per_model_and_source_dataset()
    {
        await RunStateIo.StoreOrCheckPlanAsync(_store, _layout, Plan(shards: 1) with { Dataset = "photos+fashion-mnist" }, default);
        await WriteShardAsync(0,
        [
            Image("photos/a.png", true, null, null),
            Image("photos/b.png", true, null, null),
            Image("fashion-mnist/t10k/000000", false, true, "Bag"),
            Image("fashion-mnist/t10k/000001", false, false, "Coat"),
            Image("fashion-mnist/t10k/000002", true, true, "Bag"),
            Image("fashion-mnist/t10k/000003", false, true, "Bag"),
        ], 0, manifest: true);

        var state = await RunStateIo.ReadAsync(_store, _layout, default);
        Assert.True(state.Finished);
        var summary = await RunAggregator.AggregateAsync(_store, _layout, state, "photos+fashion-mnist", null, default);

        Assert.Equal(6, summary.Images);
        Assert.Equal(["fashion-mnist", "photos"], summary.Models.Select(m => m.Dataset!).Order());
        var photos = summary.Models.Single(m => m.Dataset == "photos");
        var digits = summary.Models.Single(m => m.Dataset == "fashion-mnist");
        Assert.Equal(2, photos.Images);
        Assert.Equal(1.0, photos.Realistic.Fooled1px);
        Assert.Null(photos.Accuracy);
        Assert.Equal(4, digits.Images);
        Assert.Equal(0.25, digits.Realistic.Fooled1px);
        Assert.Equal(0.75, digits.Accuracy);

        var parquet = SummaryParquet.ToRows(summary);
        Assert.Equal(["fashion-mnist", "photos"], parquet.Where(r => r.Mode == SummaryParquet.BaselineMode).Select(r => r.Dataset).Order());
    }

    [Fact]
    public async Task A_run_without_a_stored_plan_is_finished_when_it_wrote_success()
    {
        await WriteShardAsync(0, [Image("photos/a.png", true, null, null)], 0, manifest: true);
        var state = await RunStateIo.ReadAsync(_store, _layout, default);
        Assert.False(state.Finished);
        Assert.Equal("unfinished: 1/? shards", state.Progress);
        await _store.WriteAsync(_layout.Success, _ => Task.CompletedTask);
        Assert.True((await RunStateIo.ReadAsync(_store, _layout, default)).Finished);
    }
}
