using RobustCrop.Core.Results;
using RobustCrop.IO.Results;
using RobustCrop.IO.Storage;

namespace RobustCrop.IO.Tests.Results;

/// <summary>
/// nn_changed_1px from crops files with 2-D embeddings whose neighbours are worked out by hand, against the run's own base
/// embeddings and against a gallery kept with the run.
/// </summary>
public sealed class NearestNeighbourPassTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "robustcrop-nn-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly RunLayout _layout = new("r1");

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    // Bases at 0°, 40°, 100°; their 1-px shifts at the angles listed.
    private static readonly (string Key, double Base, double[] Shifts)[] Images =
        [("a.png", 0, [50]), ("b.png", 40, [44, 75]), ("c.png", 100, [75])];

    [Fact]
    public async Task Against_the_runs_own_base_embeddings_only_the_image_whose_shift_turns_towards_another_changes()
    {
        var (store, done) = await WriteCropsAsync();
        var rates = await NearestNeighbourPass.ComputeAsync(store, _layout, done, "d", gallery: null, default);
        // a: neighbour b (40°) from its base and from 50° (c is 50° away) · b: neighbour a, but from 75° c (25° < 75°) · c: b both.
        var (rate, source) = rates[("m", "d")];
        Assert.Equal(1.0 / 3, rate!.Value, 12);
        Assert.Equal(new NnGallerySummary("run", 3), source);
    }

    [Fact]
    public async Task Against_a_kept_gallery_only_its_rows_for_the_model_are_searched_and_the_image_itself_is_not_excluded()
    {
        var (store, done) = await WriteCropsAsync();
        string file = Path.Combine(_root, "g.parquet");
        // 0° and 90° for every model; 20° for another model only (it would be a's shift's neighbour if it counted).
        await using (var output = File.Create(file))
            await ResultParquet.WriteRowsAsync(output, new List<GalleryRow> { new(Dir(0), null), new(Dir(90), null), new(Dir(20), "other") });
        var gallery = await NearestNeighbourPass.StoreGalleryAsync(store, _layout, file, default);
        Assert.Equal(3, gallery.Count);

        var kept = await NearestNeighbourPass.StoredGalleryAsync(store, _layout, default);
        var rates = await NearestNeighbourPass.ComputeAsync(store, _layout, done, "d", kept, default);
        // a: 0° then 50° → 90° (40° < 50°): changed · b: 0°, 44° → 0°, 75° → 90°: changed · c: 90° both: unchanged.
        var (rate, source) = rates[("m", "d")];
        Assert.Equal(2.0 / 3, rate!.Value, 12);
        Assert.Equal(new NnGallerySummary("gallery/gallery.parquet", 2), source);
    }

    [Fact]
    public async Task A_gallery_of_another_dimension_gives_no_rate_rather_than_a_wrong_one()
    {
        var (store, done) = await WriteCropsAsync();
        string file = Path.Combine(_root, "g3.parquet");
        await using (var output = File.Create(file))
            await ResultParquet.WriteRowsAsync(output, new List<GalleryRow> { new([1, 0, 0], null) });
        var gallery = await NearestNeighbourPass.StoreGalleryAsync(store, _layout, file, default);
        var (rate, source) = (await NearestNeighbourPass.ComputeAsync(store, _layout, done, "d", gallery, default))[("m", "d")];
        Assert.Null(rate);
        Assert.Equal(1, source!.Size);
    }

    [Fact]
    public async Task Under_motion_each_moved_view_is_searched_against_the_same_bases_as_the_one_pixel_shifts()
    {
        var (store, done) = await WriteCropsAsync();
        // a (0°): views at 10° and 30° keep neighbour b (40°) · b (40°, neighbour a): 70° turns to c (100°) · c: 120° keeps b.
        // d has a motion row but no base in the crops files: it has no answer and does not count.
        var rows = new List<MotionRow>
        {
            Moved("a.png", 10, 30), Moved("b.png", 70), Moved("c.png", 120), Moved("d.png", 0),
            Moved("a.png", 100) with { Motion = "rotate:1", Kind = "rotate", Amount = 1 }, // a turns to c: 1 of 1
        };
        string path = _layout.MotionPart("m", 0);
        await store.WriteAsync(path, s => ResultParquet.WritePartitionRowsAsync(s, "m", rows, r => r.Model));
        done.Add(path);

        var rates = await NearestNeighbourPass.ComputeMotionAsync(store, _layout, done, "d", gallery: null, default);

        Assert.Equal(1.0 / 3, rates[new("m", "d", "subpixel:0.5", null, 0, "")]!.Value, 12);
        Assert.Equal(1.0, rates[new("m", "d", "rotate:1", null, 0, "")]);
        Assert.Equal(2, rates.Count);
    }

    private async Task<(LocalFolderStore Store, HashSet<string> Done)> WriteCropsAsync()
    {
        Directory.CreateDirectory(_root);
        var store = new LocalFolderStore(_root);
        var rows = new List<CropRow>();
        foreach (var (key, angle, shifts) in Images)
        {
            rows.Add(Row(key, 0, angle));
            for (int i = 0; i < shifts.Length; i++) rows.Add(Row(key, i + 1, shifts[i]));
        }
        // A 2-px shift is not a 1-px one: it points straight at c and must not count.
        rows.Add(Row("a.png", 2, 100) with { Dx = 2, Dy = 0 });
        string path = _layout.CropsPart("m", 0);
        await store.WriteAsync(path, s => ResultParquet.WritePartitionRowsAsync(s, "m", rows, r => r.Model));
        return (store, new HashSet<string>(StringComparer.Ordinal) { path });
    }

    // Shift i of an image: one pixel along x (i = 1) or y (i = 2); i = 0 is the base.
    private static CropRow Row(string key, int shift, double degrees) => new(
        "r1", 0, key, "m", CropKinds.Realistic, 16, 16, shift == 1 ? 1 : 0, shift == 2 ? 1 : 0, null, null, null, 1f, Dir(degrees));

    private static MotionRow Moved(string key, params double[] views) => new(
        "r1", 0, key, null, "m", "subpixel:0.5", "subpixel", 0.5, null, null, null, views.Length, null, null, 1, false, null, null,
        [.. views.SelectMany(Dir)]);

    private static float[] Dir(double degrees) => [(float)Math.Cos(degrees * Math.PI / 180), (float)Math.Sin(degrees * Math.PI / 180)];
}
