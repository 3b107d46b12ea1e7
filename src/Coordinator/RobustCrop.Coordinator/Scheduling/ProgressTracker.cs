using System.Collections.Immutable;
using RobustCrop.Cluster.Protocol;

namespace RobustCrop.Coordinator.Scheduling;

/// <summary>One worker's figures at a status tick.</summary>
public sealed record WorkerRate(string Worker, int ShardsDone, int Leased, long Images, long Crops, double ImagesPerSecond);

/// <summary>The scheduler's state at a status tick, for the status lines, metrics and the status page.</summary>
/// <param name="Planned">False before the plan: the shard total is not known yet.</param>
public sealed record ClusterSnapshot(SchedulerCounts Counts, IReadOnlyDictionary<RequeueReason, long> Requeues, ImmutableArray<WorkerRate> Workers,
    DateTimeOffset AtUtc, bool Planned = true)
{
    public double ImagesPerSecond => Workers.Sum(w => w.ImagesPerSecond);
}

/// <summary>Totals over the run so far (skipped inputs included).</summary>
public sealed record ProgressTotals(long Images, long Crops);

/// <summary>
/// The job's progress from the workers' reports, with no actor: each worker's figures (cumulative totals since its own
/// start), the baselines after a restarted singleton, and the per-worker rates of each status tick, on an injected clock.
/// Reports are the members' word: a negative or impossible figure is refused (said once per worker), so a forged report
/// can neither overflow the totals nor move the ETA.
/// </summary>
public sealed class ProgressTracker(TimeProvider clock, TimeSpan statusInterval)
{
    /// <summary>Beyond any real run (10^15 crops is a thousand years of a fast GPU): a report above it is forged.</summary>
    public const long MaxFigure = 1_000_000_000_000_000;

    private sealed class Figures
    {
        public long Images { get; set; }
        public long Crops { get; set; }
        public long ImagesAtLastStatus { get; set; }
        /// <summary>After a restart: the worker's first report, which counts shards the new plan already skips.</summary>
        public (long Images, long Crops)? Baseline { get; set; }
        public bool RefusalSaid { get; set; }
    }

    private readonly Dictionary<WorkerId, Figures> _workers = [];
    private DateTimeOffset _lastStatus = clock.GetUtcNow();
    private long _skippedInputs, _totalInputs;
    private bool _afterRestart;

    /// <param name="afterRestart">This singleton re-planned after a restart: workers' first reports become their baselines.</param>
    public void Planned(long skippedInputs, long totalInputs, bool afterRestart)
    {
        _skippedInputs = skippedInputs;
        _totalInputs = totalInputs;
        _afterRestart = afterRestart;
    }

    /// <summary>
    /// A worker's cumulative report: the run's new totals, or null when the report is refused (<paramref name="refused"/>
    /// is then its event the first time for this worker, null after).
    /// </summary>
    public ProgressTotals? Report(WorkerId worker, long images, long crops, int running, out SchedulingEvent? refused)
    {
        refused = null;
        if (!_workers.TryGetValue(worker, out var w)) _workers[worker] = w = new Figures();
        if (Problem(images, crops, running) is { } problem)
        {
            if (!w.RefusalSaid) refused = new ProgressRefused(worker, problem);
            w.RefusalSaid = true;
            return null;
        }
        // A worker's totals run from its own start; after a restart the new plan counts its earlier shards as skipped.
        if (_afterRestart) w.Baseline ??= (images, crops);
        w.Images = Math.Max(w.Images, images - (w.Baseline?.Images ?? 0));
        w.Crops = Math.Max(w.Crops, crops - (w.Baseline?.Crops ?? 0));
        return Totals;
    }

    /// <summary>Done inputs never exceed the plan's total, whatever the workers said.</summary>
    public ProgressTotals Totals
    {
        get
        {
            long images = _skippedInputs + _workers.Values.Sum(x => x.Images);
            return new(_totalInputs > 0 ? Math.Min(images, _totalInputs) : images, _workers.Values.Sum(x => x.Crops));
        }
    }

    /// <summary>A worker left (its node was removed): its figures go with it.</summary>
    public void Left(WorkerId worker) => _workers.Remove(worker);

    /// <summary>The snapshot of a status tick, each worker's rate over the time since the last; null before the interval passed.</summary>
    public ClusterSnapshot? Status(SchedulerCounts counts, IReadOnlyList<WorkerView> workers, IReadOnlyDictionary<RequeueReason, long> requeues, bool planned)
    {
        var now = clock.GetUtcNow();
        if (now - _lastStatus < statusInterval) return null;
        double secs = Math.Max((now - _lastStatus).TotalSeconds, 1e-3);
        _lastStatus = now;
        var rates = ImmutableArray.CreateBuilder<WorkerRate>(workers.Count);
        foreach (var view in workers)
        {
            var figures = _workers.GetValueOrDefault(view.Id);
            long images = figures?.Images ?? 0;
            long delta = images - (figures?.ImagesAtLastStatus ?? 0);
            if (figures is not null) figures.ImagesAtLastStatus = images;
            rates.Add(new WorkerRate(view.Id.Value, view.ShardsDone, view.Leased, images, figures?.Crops ?? 0, delta / secs));
        }
        return new ClusterSnapshot(counts, requeues.ToDictionary(), rates.ToImmutable(), now, planned);
    }

    private string? Problem(long images, long crops, int running)
    {
        if (images < 0 || crops < 0 || running < 0) return "a negative figure";
        // Twice the plan: a worker may write a shard again after its lease was re-queued, never more than that in earnest.
        long most = _totalInputs > 0 ? 2 * _totalInputs : MaxFigure;
        if (images > most) return $"{images} inputs done, more than the run could have ({most})";
        if (crops > MaxFigure) return $"{crops} crops, beyond any run";
        return null;
    }
}
