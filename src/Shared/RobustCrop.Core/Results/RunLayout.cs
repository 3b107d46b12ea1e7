using System.Globalization;

namespace RobustCrop.Core.Results;

/// <summary>The file names of one run (DESIGN §8), relative to the store root and prefixed with
/// <c>&lt;run_id&gt;/</c>. Names are fixed per shard so that a retried shard overwrites its files
/// instead of adding rows.</summary>
public sealed class RunLayout
{
    public RunLayout(string runId)
    {
        RunId = ValidateId(runId, nameof(runId));
        Root = RunId + "/";
    }

    public string RunId { get; }

    /// <summary>"&lt;run_id&gt;/": the prefix every file of the run starts with.</summary>
    public string Root { get; }

    public string CropsDir => Root + "crops/";
    public string ImagesDir => Root + "images/";
    public string ErrorsDir => Root + "errors/";
    public string ManifestsDir => Root + "_manifests/";
    public string ReportDir => Root + "report/";
    public string SummaryJson => Root + "summary.json";
    public string SummaryParquet => Root + "summary.parquet";
    public string Success => Root + "_SUCCESS";

    /// <summary>The run's plan, stored at its first start (data, shard size, limit, models, metric settings).</summary>
    public string Plan => Root + "_plan.json";

    /// <summary>crops/model=&lt;m&gt;/ — the Hive-style partition folder engines turn into a model column.</summary>
    /// <summary>Per-image RICS results, one row per image × model × setting (an addition to the DESIGN §8 layout).</summary>
    public string RicsDir => Root + "rics/";

    public string RicsPart(string model, int shard) => $"{RicsDir}model={ValidateModel(model)}/" + PartName(shard);

    /// <summary>Per-image motion results (DESIGN §4b), one row per image × model × motion spec [× RICS setting].</summary>
    public string MotionDir => Root + "motion/";

    public string MotionPart(string model, int shard) => $"{MotionDir}model={ValidateModel(model)}/" + PartName(shard);

    /// <summary>Rows of a `predict` run, one per input.</summary>
    public string PredictionsPart(int shard) => Root + "predictions/" + PartName(shard);

    public string CropsModelDir(string model) => $"{CropsDir}model={ValidateModel(model)}/";

    public string ImagesModelDir(string model) => $"{ImagesDir}model={ValidateModel(model)}/";

    public string CropsPart(string model, int shard) => CropsModelDir(model) + PartName(shard);

    public string ImagesPart(string model, int shard) => ImagesModelDir(model) + PartName(shard);

    public string ErrorsPart(int shard) => ErrorsDir + PartName(shard);

    public string ShardManifest(int shard) => $"{ManifestsDir}shard-{Pad(shard)}.json";

    /// <summary>True for names usable as one path segment in every store: letters, digits, '-', '_', '.',
    /// and not made of dots only.</summary>
    public static bool IsValidId(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > 200)
            return false;
        bool allDots = true;
        foreach (char c in id)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
                return false;
            allDots &= c == '.';
        }
        return !allDots;
    }

    /// <summary>Returns <paramref name="model"/> if it can be used in a path; throws otherwise.</summary>
    public static string ValidateModel(string model) => ValidateId(model, nameof(model));

    private static string ValidateId(string id, string what)
    {
        if (!IsValidId(id))
            throw new ArgumentException($"'{id}' is not a valid {what}: use letters, digits, '-', '_' and '.'.", what);
        return id;
    }

    private static string PartName(int shard) => $"part-{Pad(shard)}.parquet";

    private static string Pad(int shard)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(shard);
        return shard.ToString("D5", CultureInfo.InvariantCulture);
    }
}
