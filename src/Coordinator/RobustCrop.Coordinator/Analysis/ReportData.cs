using System.Globalization;
using System.Text.Json;
using RobustCrop.Core.Imaging;
using RobustCrop.Core.Results;
using RobustCrop.IO.Results;

namespace RobustCrop.Coordinator.Analysis;

/// <summary>Share of images whose answer at shift (Dx, Dy) equals the base answer, over the images that support that shift.</summary>
public sealed record ConsistencyCell(int Dx, int Dy, long Images, double Agree);

/// <summary>The consistency map of one model on one source dataset over W_k. ByCosine: the model has no class answer there,
/// so "equal" means cosine ≥ τ.</summary>
public sealed record ConsistencyMap(string Model, int K, bool ByCosine, IReadOnlyList<ConsistencyCell> Cells, string Dataset = "")
{
    /// <summary>The low end of a colour scale shared by <paramref name="maps"/>: the lowest cell, never above 90%, so small
    /// differences near 100% stay visible and equal colours mean equal shares on every map of the page.</summary>
    public static double SharedLow(IEnumerable<ConsistencyMap> maps)
        => Math.Min(0.9, maps.SelectMany(m => m.Cells).Select(c => c.Agree).DefaultIfEmpty(0.9).Min());

    /// <summary>What a cell's share counts, for the map's title.</summary>
    public string Measure(double tau) => ByCosine
        ? $"share with cosine ≥ {tau.ToString("0.###", CultureInfo.InvariantCulture)} to the base (no class answer)"
        : "share with the same prediction as the base";
}

/// <summary>An image whose prediction changes under a one-pixel realistic shift: the base crop and the first shifted crop
/// that disagrees. Also an image without class metrics whose embedding moves most: the shifted crop of the lowest
/// cosine to the base, with that <paramref name="Cosine"/> (predictions null).</summary>
public sealed record FlipExample(
    string Model, string ImageKey, string? Label,
    int BaseX, int BaseY, int? BasePrediction, string? BaseLabel,
    int Dx, int Dy, int ShiftX, int ShiftY, int? ShiftPrediction, string? ShiftLabel, double? Cosine = null);

/// <summary>What the scene of a model was made with (Parquet key "robustcrop.preprocessing").</summary>
public sealed record ScenePreprocessing(int InputSize, int ResizeSize, Interpolation Interpolation);

/// <summary>Everything the report draws, computed from a run folder with DuckDB and from summary.json.</summary>
public sealed record ReportData(
    RunSummary Summary,
    double Tau,
    IReadOnlyList<ConsistencyMap> Maps,
    IReadOnlyDictionary<string, double[]> Cosine1pxMin,
    IReadOnlyList<FlipExample> Flips,
    long FlippedImages,
    IReadOnlyDictionary<string, ScenePreprocessing> Preprocessing,
    IReadOnlyList<FlipExample> Movers)
{
    /// <summary>cosine_1px_min of every RICS entry per model (DESIGN §5b), keyed by model, then by "score n=N mode"; the
    /// report draws one histogram per model with the plain model's beside each mode's.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, double[]>> RicsCosine1pxMin { get; init; }
        = new Dictionary<string, IReadOnlyDictionary<string, double[]>>(StringComparer.Ordinal);

    /// <summary>Examples shown per model; the count of all flipped images is reported beside them.</summary>
    public const int MaxFlipsPerModel = 12;

    /// <summary>Images without class metrics shown per model, those whose embedding a one-pixel shift moves most.</summary>
    public const int MaxMoversPerModel = 6;

    public static async Task<ReportData> LoadAsync(string runFolder, RunSummary summary, CancellationToken ct)
    {
        double tau = summary.Tau ?? summary.Models.Select(m => (double?)m.Realistic.Changed1px.Tau).FirstOrDefault() ?? 0.99;
        int k = summary.WindowK ?? summary.Models.Select(m => (int?)m.Realistic.FooledWindow.K).FirstOrDefault() ?? 1;
        using var db = RunDatabase.Open(runFolder);
        var maps = new List<ConsistencyMap>();
        var cosine = new Dictionary<string, double[]>(StringComparer.Ordinal);
        var flips = new List<FlipExample>();
        var movers = new List<FlipExample>();
        long flipped = 0;
        if (db.Views.Contains("crops"))
        {
            maps.AddRange(LoadMaps(db, k, tau, summary.Dataset, ct));
            (flips, flipped) = LoadFlips(db, ct);
            movers = LoadMovers(db, ct);
        }
        if (db.Views.Contains("images"))
        {
            var r = db.Query("SELECT model, cosine_1px_min FROM images WHERE cosine_1px_min IS NOT NULL AND isfinite(cosine_1px_min) ORDER BY model", ct);
            foreach (var g in r.Rows.GroupBy(row => (string)row[0]!))
                cosine[g.Key] = g.Select(row => Convert.ToDouble(row[1], CultureInfo.InvariantCulture)).ToArray();
        }
        return new ReportData(summary, tau, maps, cosine, flips, flipped, await LoadPreprocessingAsync(runFolder, ct), movers)
        {
            RicsCosine1pxMin = db.Views.Contains("rics") ? LoadRicsCosine(db, ct) : new Dictionary<string, IReadOnlyDictionary<string, double[]>>(),
        };
    }

    /// <summary>Realistic RICS rows' cosine_1px_min per model and setting; rics files written before modes have no mode
    /// column, and their rows are select.</summary>
    private static Dictionary<string, IReadOnlyDictionary<string, double[]>> LoadRicsCosine(RunDatabase db, CancellationToken ct)
    {
        bool hasMode = db.Query("SELECT * FROM rics LIMIT 0", ct).Columns.Contains("mode");
        string mode = hasMode ? "coalesce(mode, 'select')" : "'select'";
        var r = db.Query($"""
            SELECT model, score || ' n=' || CAST("window" AS VARCHAR) || ' ' || {mode} AS setting, cosine_1px_min
            FROM rics WHERE score <> 'cyclic' AND shifts_1px > 0 AND isfinite(cosine_1px_min) ORDER BY model, setting
            """, ct);
        return r.Rows.GroupBy(row => (string)row[0]!).ToDictionary(g => g.Key,
            g => (IReadOnlyDictionary<string, double[]>)g.GroupBy(row => (string)row[1]!).ToDictionary(s => s.Key,
                s => s.Select(row => Convert.ToDouble(row[2], CultureInfo.InvariantCulture)).ToArray(), StringComparer.Ordinal),
            StringComparer.Ordinal);
    }

    // One row per image × shift: crops are unique per absolute position, but a run that keeps duplicates (a rerun
    // merged by hand) must not count an image twice.
    private const string RealisticWithBase = """
        WITH r AS (
            SELECT model, image_key, dx, dy, any_value(x) AS x, any_value(y) AS y, any_value(prediction) AS p,
                   any_value(prediction_label) AS pl, any_value(cosine_to_base) AS cos
            FROM crops WHERE kind = 'realistic' AND abs(dx) <= {0} AND abs(dy) <= {0}
            GROUP BY model, image_key, dx, dy),
        b AS (SELECT model, image_key, x AS x0, y AS y0, p AS p0, pl AS pl0 FROM r WHERE dx = 0 AND dy = 0)
        """;

    // One map per model × source dataset (the key's first folder) × measure: a head that applies to one dataset of a
    // composite run answers there by class and elsewhere by cosine, and the two never share a map.
    private static IEnumerable<ConsistencyMap> LoadMaps(RunDatabase db, int k, double tau, string runDataset, CancellationToken ct)
    {
        string sql = string.Format(CultureInfo.InvariantCulture, RealisticWithBase, k) + string.Format(CultureInfo.InvariantCulture, """
            SELECT r.model, CASE WHEN strpos(r.image_key, '/') > 1 THEN split_part(r.image_key, '/', 1) END AS dataset, b.p0 IS NULL AS by_cosine, r.dx, r.dy, count(*) AS n,
                   avg(CASE WHEN b.p0 IS NOT NULL THEN CAST(r.p IS NOT DISTINCT FROM b.p0 AS DOUBLE)
                            ELSE CAST(r.cos >= {0} AS DOUBLE) END) AS agree
            FROM r JOIN b USING (model, image_key)
            GROUP BY ALL ORDER BY r.model, dataset, by_cosine, r.dy, r.dx
            """, tau.ToString("R", CultureInfo.InvariantCulture));
        var result = db.Query(sql, ct);
        foreach (var g in result.Rows.GroupBy(row => ((string)row[0]!, row[1] as string ?? runDataset, row[2] is true)))
        {
            var cells = g.Select(row => new ConsistencyCell(Int(row[3]), Int(row[4]), Convert.ToInt64(row[5], CultureInfo.InvariantCulture),
                Convert.ToDouble(row[6], CultureInfo.InvariantCulture))).ToList();
            yield return new ConsistencyMap(g.Key.Item1, k, g.Key.Item3, cells, g.Key.Item2);
        }
    }

    private static (List<FlipExample>, long) LoadFlips(RunDatabase db, CancellationToken ct)
    {
        string label = db.Views.Contains("images") ? "(SELECT any_value(i.label) FROM images i WHERE i.model = f.model AND i.image_key = f.image_key)" : "NULL";
        string sql = string.Format(CultureInfo.InvariantCulture, RealisticWithBase, 1) + $"""
            , f AS (
                SELECT r.model, r.image_key, b.x0, b.y0, b.p0, b.pl0, r.dx, r.dy, r.x, r.y, r.p, r.pl
                FROM r JOIN b USING (model, image_key)
                WHERE b.p0 IS NOT NULL AND r.p IS DISTINCT FROM b.p0 AND (r.dx <> 0 OR r.dy <> 0)
                QUALIFY row_number() OVER (PARTITION BY r.model, r.image_key ORDER BY abs(r.dx) + abs(r.dy), r.dy, r.dx) = 1)
            SELECT f.*, {label} AS label FROM f
            QUALIFY row_number() OVER (PARTITION BY f.model ORDER BY f.image_key) <= {MaxFlipsPerModel}
            ORDER BY f.model, f.image_key
            """;
        var result = db.Query(sql, ct);
        var flips = result.Rows.Select(row => new FlipExample(
            (string)row[0]!, (string)row[1]!, row[12] as string,
            Int(row[2]), Int(row[3]), NullableInt(row[4]), row[5] as string,
            Int(row[6]), Int(row[7]), Int(row[8]), Int(row[9]), NullableInt(row[10]), row[11] as string)).ToList();
        // The examples are capped per model; the report states how many images flipped in all.
        long total = db.Query(string.Format(CultureInfo.InvariantCulture, RealisticWithBase, 1) + """
            SELECT count(DISTINCT (r.model, r.image_key)) FROM r JOIN b USING (model, image_key)
            WHERE b.p0 IS NOT NULL AND r.p IS DISTINCT FROM b.p0 AND (r.dx <> 0 OR r.dy <> 0)
            """, ct).Rows.Select(row => Convert.ToInt64(row[0], CultureInfo.InvariantCulture)).Single();
        return (flips, total);
    }

    /// <summary>
    /// Per model, the images with no class answer (photos outside a head's datasets, or a model without a head) whose
    /// embedding a one-pixel realistic shift moves most: each image's shifted crop of lowest cosine to the base, lowest first.
    /// </summary>
    private static List<FlipExample> LoadMovers(RunDatabase db, CancellationToken ct)
    {
        string sql = string.Format(CultureInfo.InvariantCulture, RealisticWithBase, 1) + $"""
            , m AS (
                SELECT r.model, r.image_key, b.x0, b.y0, r.dx, r.dy, r.x, r.y, r.cos
                FROM r JOIN b USING (model, image_key)
                WHERE b.p0 IS NULL AND r.cos IS NOT NULL AND isfinite(r.cos) AND (r.dx <> 0 OR r.dy <> 0)
                QUALIFY row_number() OVER (PARTITION BY r.model, r.image_key ORDER BY r.cos, abs(r.dx) + abs(r.dy), r.dy, r.dx) = 1)
            SELECT * FROM m
            QUALIFY row_number() OVER (PARTITION BY model ORDER BY cos, image_key) <= {MaxMoversPerModel}
            ORDER BY model, cos, image_key
            """;
        return db.Query(sql, ct).Rows.Select(row => new FlipExample(
            (string)row[0]!, (string)row[1]!, null, Int(row[2]), Int(row[3]), null, null,
            Int(row[4]), Int(row[5]), Int(row[6]), Int(row[7]), null, null, Convert.ToDouble(row[8], CultureInfo.InvariantCulture))).ToList();
    }

    /// <summary>The preprocessing of each model, read from the key-value metadata of its first images file.</summary>
    private static async Task<Dictionary<string, ScenePreprocessing>> LoadPreprocessingAsync(string runFolder, CancellationToken ct)
    {
        var result = new Dictionary<string, ScenePreprocessing>(StringComparer.Ordinal);
        string images = Path.Combine(runFolder, "images");
        if (!Directory.Exists(images)) return result;
        foreach (var dir in Directory.GetDirectories(images, "model=*").Order(StringComparer.Ordinal))
        {
            var file = Directory.GetFiles(dir, "*.parquet").Order(StringComparer.Ordinal).FirstOrDefault();
            if (file is null) continue;
            await using var s = File.OpenRead(file);
            var meta = await ResultParquet.ReadMetadataAsync(s, ct);
            if (!meta.TryGetValue(ResultMetadataKeys.Preprocessing, out var json)) continue;
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            var interp = Enum.Parse<Interpolation>(root.GetProperty("interpolation").GetString() ?? "bilinear", ignoreCase: true);
            string model = meta.TryGetValue(ResultMetadataKeys.Model, out var m) ? m : Path.GetFileName(dir)["model=".Length..];
            result[model] = new ScenePreprocessing(root.GetProperty("input_size").GetInt32(), root.GetProperty("resize_size").GetInt32(), interp);
        }
        return result;
    }

    private static int Int(object? v) => Convert.ToInt32(v, CultureInfo.InvariantCulture);

    private static int? NullableInt(object? v) => v is null ? null : Int(v);
}
