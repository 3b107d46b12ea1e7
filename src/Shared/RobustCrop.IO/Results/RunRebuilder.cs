using System.Globalization;
using System.Text.Json;
using RobustCrop.Core.Results;
using RobustCrop.IO.Storage;

namespace RobustCrop.IO.Results;

/// <summary>
/// Rebuilds a run's summary from its images (and rics, errors) files alone, the way <c>evaluate</c> aggregates at its end:
/// the dataset name, device and input / resize sizes come from the images files' Parquet key-value metadata.
/// </summary>
public static class RunRebuilder
{
    /// <summary>Used when no images file names its dataset (files written before the key existed).</summary>
    public const string UnknownDataset = "unknown";

    public static async Task<RunSummary> AggregateAsync(IResultStore store, RunLayout layout, CancellationToken ct)
        => await AggregateAsync(store, layout, await RunStateIo.ReadAsync(store, layout, ct), ct);

    /// <summary>The summary of the shards <paramref name="state"/> lists as finished (an unfinished run's partial summary).</summary>
    public static async Task<RunSummary> AggregateAsync(IResultStore store, RunLayout layout, RunState state, CancellationToken ct)
    {
        var (dataset, facts, files) = await ReadFactsAsync(store, layout, ct);
        if (files == 0 && !await AnyAsync(store, layout.ErrorsDir, ct))
            throw new FileNotFoundException($"no run '{layout.RunId}' in {store.Describe()}: it has no images/ or errors/ files");
        dataset ??= state.Plan?.Dataset ?? await DatasetFromSummaryAsync(store, layout, ct) ?? UnknownDataset;
        return await RunAggregator.AggregateAsync(store, layout, state, dataset, facts, ct);
    }

    /// <summary>The dataset name and per-model facts read from the first images file of each model.</summary>
    public static async Task<(string? Dataset, List<ModelFacts> Facts, int Files)> ReadFactsAsync(IResultStore store, RunLayout layout, CancellationToken ct)
    {
        string? dataset = null;
        var facts = new List<ModelFacts>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int files = 0;
        await foreach (var path in store.ListAsync(layout.ImagesDir, ct))
        {
            if (!path.EndsWith(".parquet", StringComparison.Ordinal)) continue;
            files++;
            string folder = path[layout.ImagesDir.Length..];
            int slash = folder.IndexOf('/');
            if (slash < 0 || !folder.StartsWith("model=", StringComparison.Ordinal)) continue;
            string model = folder["model=".Length..slash];
            if (!seen.Add(model)) continue;
            Dictionary<string, string> meta;
            await using (var s = await store.OpenReadAsync(path, ct)) meta = await ResultParquet.ReadMetadataAsync(s, ct);
            if (dataset is null && meta.TryGetValue(ResultMetadataKeys.Dataset, out var d)) dataset = d;
            var (input, resize) = Sizes(meta.GetValueOrDefault(ResultMetadataKeys.Preprocessing));
            facts.Add(new ModelFacts(meta.GetValueOrDefault(ResultMetadataKeys.Model) ?? model,
                meta.GetValueOrDefault(ResultMetadataKeys.Device), input, resize));
        }
        return (dataset, facts, files);
    }

    private static (int? Input, int? Resize) Sizes(string? preprocessing)
    {
        if (preprocessing is null) return (null, null);
        try
        {
            using var doc = JsonDocument.Parse(preprocessing);
            return (Int(doc.RootElement, "input_size"), Int(doc.RootElement, "resize_size"));
        }
        catch (JsonException)
        {
            return (null, null);
        }

        static int? Int(JsonElement e, string name)
            => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i) ? i : null;
    }

    private static async Task<string?> DatasetFromSummaryAsync(IResultStore store, RunLayout layout, CancellationToken ct)
    {
        if (!await store.ExistsAsync(layout.SummaryJson, ct)) return null;
        try
        {
            return RunSummaryIo.Deserialize(await store.ReadTextAsync(layout.SummaryJson, ct)).Dataset;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static async Task<bool> AnyAsync(IResultStore store, string prefix, CancellationToken ct)
    {
        await foreach (var _ in store.ListAsync(prefix, ct)) return true;
        return false;
    }
}

/// <summary>One row of the zoo table: a model on a dataset, from one run. Column names are the snake_case property names.</summary>
public sealed record ZooRow(
    string Model,
    string Dataset,
    string RunId,
    long Images,
    double? Accuracy,
    double? Consistency1px,
    double? Fooled1px,
    int FooledWindowK,
    double? FooledWindow,
    double? Cosine1pxMinMean,
    double? Changed1px,
    double? CyclicConsistency1px,
    double? CyclicFooled1px,
    int? RicsWindow,
    string? RicsScore,
    double? RicsConsistency1px,
    double? RicsAccuracy,
    double? RicsCyclicConsistency1px,
    string? Device,
    int? InputSize,
    int? ResizeSize);

/// <summary>The zoo table across runs: one row per model × dataset.</summary>
public static class ZooTable
{
    /// <summary>Rows sorted by dataset then model. When several runs hold the same model × dataset, the run given later wins
    /// (its id is in <see cref="ZooRow.RunId"/>); <paramref name="replaced"/> is told each replaced pair.</summary>
    public static List<ZooRow> Build(IEnumerable<RunSummary> runs, Action<string>? replaced = null)
    {
        var rows = new Dictionary<(string Model, string Dataset), ZooRow>();
        foreach (var run in runs)
            foreach (var m in run.Models)
            {
                var key = (m.Model, m.Dataset ?? run.Dataset);
                if (rows.TryGetValue(key, out var old))
                    replaced?.Invoke($"{m.Model} on {key.Item2}: run {run.RunId} replaces run {old.RunId}");
                // The RICS setting shown is the most consistent one (ties: the smaller window, which costs less).
                var rics = m.Rics.OrderByDescending(r => r.Consistency1px ?? double.NegativeInfinity).ThenBy(r => r.Window).FirstOrDefault();
                rows[key] = new ZooRow(m.Model, key.Item2, run.RunId, m.Images, m.Accuracy,
                    m.Realistic.Consistency1px, m.Realistic.Fooled1px, m.Realistic.FooledWindow.K, m.Realistic.FooledWindow.Rate,
                    m.Realistic.Cosine1pxMin.Mean, m.Realistic.Changed1px.Rate, m.Cyclic.Consistency1px, m.Cyclic.Fooled1px,
                    rics?.Window, rics?.Score, rics?.Consistency1px, rics?.Accuracy, m.RicsCyclic?.Consistency1px,
                    m.Device, m.InputSize, m.ResizeSize);
            }
        return rows.Values.OrderBy(r => r.Dataset, StringComparer.Ordinal).ThenBy(r => r.Model, StringComparer.Ordinal).ToList();
    }

    private static readonly (string Header, Func<ZooRow, string> Cell)[] Shown =
    [
        ("model", r => r.Model),
        ("dataset", r => r.Dataset),
        ("run", r => r.RunId),
        ("images", r => r.Images.ToString(CultureInfo.InvariantCulture)),
        ("accuracy", r => Num(r.Accuracy)),
        ("consistency_1px", r => Num(r.Consistency1px)),
        ("fooled_1px", r => Num(r.Fooled1px)),
        ("fooled_Wk", r => r.FooledWindowK > 0 ? $"{Num(r.FooledWindow)} (k={r.FooledWindowK})" : "-"),
        ("cos_1px_min", r => Num(r.Cosine1pxMinMean)),
        ("changed_1px", r => Num(r.Changed1px)),
        ("cyclic_consistency", r => Num(r.CyclicConsistency1px)),
        ("rics", r => r.RicsWindow is { } n ? $"{r.RicsScore} n={n}: {Num(r.RicsConsistency1px)}" : "-"),
        ("rics_cyclic", r => Num(r.RicsCyclicConsistency1px)),
        ("device", r => r.Device ?? "-"),
    ];

    /// <summary>An aligned plain-text table (numbers right-aligned), one line per row after a header and a rule.</summary>
    public static string Format(IReadOnlyList<ZooRow> rows)
    {
        var cells = rows.Select(r => Shown.Select(c => c.Cell(r)).ToArray()).ToList();
        var widths = Shown.Select((c, i) => Math.Max(c.Header.Length, cells.Select(r => r[i].Length).DefaultIfEmpty(0).Max())).ToArray();
        var sb = new System.Text.StringBuilder();
        sb.AppendLine(string.Join("  ", Shown.Select((c, i) => i < 3 ? c.Header.PadRight(widths[i]) : c.Header.PadLeft(widths[i]))).TrimEnd());
        sb.AppendLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var r in cells)
            sb.AppendLine(string.Join("  ", r.Select((v, i) => i < 3 ? v.PadRight(widths[i]) : v.PadLeft(widths[i]))).TrimEnd());
        return sb.ToString();
    }

    /// <summary>Writes the table as Parquet (.parquet) or CSV (.csv, RFC 4180, invariant numbers, empty = null).</summary>
    public static async Task WriteAsync(string path, IReadOnlyList<ZooRow> rows, CancellationToken ct)
    {
        string ext = Path.GetExtension(path).ToLowerInvariant();
        if (ext is not (".parquet" or ".csv"))
            throw new ArgumentException($"--out '{path}': the zoo table is written as .parquet or .csv");
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        // Written next to the target and renamed, so a reader never sees half a table.
        string temp = path + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            await using (var s = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite))
            {
                if (ext == ".parquet")
                    await ResultParquet.WriteRowsAsync(s, rows, new Dictionary<string, string> { ["robustcrop.table"] = "zoo" }, ct);
                else
                    await WriteCsvAsync(s, rows, ct);
            }
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    private static async Task WriteCsvAsync(Stream s, IReadOnlyList<ZooRow> rows, CancellationToken ct)
    {
        var props = typeof(ZooRow).GetConstructors()[0].GetParameters().Select(p => typeof(ZooRow).GetProperty(p.Name!)!).ToList();
        await using var w = new StreamWriter(s, new System.Text.UTF8Encoding(false), leaveOpen: true) { NewLine = "\n" };
        await w.WriteLineAsync(string.Join(',', props.Select(p => ResultParquet.ColumnName(p.Name))).AsMemory(), ct);
        foreach (var r in rows)
            await w.WriteLineAsync(string.Join(',', props.Select(p => Csv(p.GetValue(r)))).AsMemory(), ct);
    }

    private static string Csv(object? v) => v switch
    {
        null => "",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        string s when s.IndexOfAny([',', '"', '\n', '\r']) >= 0 => "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"",
        _ => v.ToString() ?? "",
    };

    private static string Num(double? v) => v is { } d ? d.ToString("0.0000", CultureInfo.InvariantCulture) : "-";
}
