using System.Collections.Immutable;
using Akka.Actor;
using Akka.Hosting;
using Prometheus;
using RobustCrop.Coordinator.Cluster;
using RobustCrop.Coordinator.Scheduling;
using RobustCrop.Core.Settings;

namespace RobustCrop.Coordinator.Observability;

/// <summary>
/// The coordinator's figures for operators, fed by the job's <see cref="JobEvent"/>s (never by the scheduler directly,
/// so the singleton stays unaware of it): Prometheus metrics in a registry of its own, and the model of the
/// <c>/status</c> page. Written from one relay actor, read by HTTP requests: the status model is under a lock.
/// </summary>
public sealed class ClusterMetrics
{
    private const int LatestEvents = 20;

    private readonly Gauge _shards;
    private readonly Gauge _workers;
    private readonly Counter _requeues;
    private readonly Counter _refused;
    private readonly Counter _images;
    private readonly Counter _errors;
    private readonly Counter _crops;
    private readonly Gauge _workerImagesPerSecond;
    private readonly Gauge _workerCropsTotal;
    private readonly Gauge _workerImagesTotal;
    private readonly Lock _gate = new();
    private readonly TimeProvider _clock;
    private readonly DateTimeOffset _started;
    private readonly LinkedList<string> _latest = new();
    // The worker label values in use, so a worker's series go when it leaves or is refused: ids are the members' own.
    private readonly HashSet<string> _labelled = new(StringComparer.Ordinal);
    private StatusModel _status;

    public ClusterMetrics(RunId runId, TimeProvider clock)
    {
        _clock = clock;
        _started = clock.GetUtcNow();
        _status = new StatusModel(runId.Value, "", null, [], 0, 0, 0, 0, 0, 0, _started, _started, []);
        var f = Metrics.WithCustomRegistry(Registry);
        _shards = f.CreateGauge("robustcrop_shards", "Shards of the job by state (total, done, leased, queued, verifying)", "state");
        _workers = f.CreateGauge("robustcrop_workers", "Workers the job singleton knows");
        _requeues = f.CreateCounter("robustcrop_requeues_total", "Shards put back in the queue, by reason", "reason");
        _refused = f.CreateCounter("robustcrop_workers_refused_total", "Workers refused (protocol version, output not in the job's store)");
        _images = f.CreateCounter("robustcrop_images_total", "Inputs of verified shards that gave images rows");
        _errors = f.CreateCounter("robustcrop_input_errors_total", "Inputs of verified shards that gave error rows (by stage on each worker's /metrics)");
        _crops = f.CreateCounter("robustcrop_crops_total", "Crops inferred in verified shards");
        _workerImagesPerSecond = f.CreateGauge("robustcrop_worker_images_per_second", "Images per second of each worker over the last status interval", "worker");
        _workerImagesTotal = f.CreateGauge("robustcrop_worker_images", "Images (and error rows) each worker reported since it joined", "worker");
        _workerCropsTotal = f.CreateGauge("robustcrop_worker_crops", "Crops each worker reported since it joined", "worker");
    }

    public CollectorRegistry Registry { get; } = Metrics.NewCustomRegistry();

    /// <summary>Called by the relay, one event at a time.</summary>
    public void On(JobEvent e)
    {
        switch (e)
        {
            case JobPlanned p:
                lock (_gate) _status = _status with { Dataset = p.Plan.Dataset, TotalInputs = p.Plan.TotalInputs, DoneInputs = _status.DoneInputs + p.Plan.SkippedInputs };
                _shards.WithLabels("total").Set(p.Plan.ToDo.Length);
                break;
            case JobProgress p:
                // The workers' own counts, the images of shards still running included: the page moves before a shard ends.
                lock (_gate) _status = _status with { ProcessedInputs = p.Images };
                break;
            case JobStatus { Snapshot: var s }:
                var c = s.Counts;
                _shards.WithLabels("total").Set(c.Total);
                _shards.WithLabels("done").Set(c.Done);
                _shards.WithLabels("leased").Set(c.Leased);
                _shards.WithLabels("queued").Set(c.Queued);
                _shards.WithLabels("verifying").Set(c.Verifying);
                _workers.Set(c.Workers);
                foreach (var gone in _labelled.Except(s.Workers.Select(w => w.Worker)).ToList()) DropSeries(gone);
                foreach (var w in s.Workers)
                {
                    _labelled.Add(w.Worker);
                    _workerImagesPerSecond.WithLabels(w.Worker).Set(w.ImagesPerSecond);
                    _workerImagesTotal.WithLabels(w.Worker).Set(w.Images);
                    _workerCropsTotal.WithLabels(w.Worker).Set(w.Crops);
                }
                lock (_gate) _status = _status with
                {
                    Workers = s.Workers, ShardsTotal = c.Total, ShardsDone = c.Done, Leased = c.Leased, Queued = c.Queued,
                    ImagesPerSecond = s.ImagesPerSecond, AtUtc = s.AtUtc,
                };
                break;
            case JobSchedulingEvent ev:
                switch (ev.Event)
                {
                    case ShardRequeued r: _requeues.WithLabels(SchedulingLines.Label(r.Reason)).Inc(); Remember(ev.Line); break;
                    case Scheduling.WorkerRefused r: _refused.Inc(); DropSeries(r.Worker.Value); Remember(ev.Line); break;
                    case ForeignSender or ProgressRefused: Remember(ev.Line); break;
                    case ShardDone d:
                        _images.Inc(d.Manifest.Images);
                        _errors.Inc(d.Manifest.Errors);
                        _crops.Inc(d.Manifest.Crops);
                        lock (_gate) _status = _status with { DoneInputs = _status.DoneInputs + d.Manifest.Images + d.Manifest.Errors };
                        if (d.Manifest.Errors > 0) Remember(ev.Line);
                        break;
                    case WorkerLeft l: DropSeries(l.Worker.Value); Remember(ev.Line); break;
                }
                break;
            case JobEnded end:
                lock (_gate) _status = _status with { Outcome = end.Outcome.Succeeded ? "complete" : "failed: " + end.Outcome.FailureReason };
                break;
        }
    }

    private void DropSeries(string worker)
    {
        if (!_labelled.Remove(worker)) return;
        _workerImagesPerSecond.RemoveLabelled(worker);
        _workerImagesTotal.RemoveLabelled(worker);
        _workerCropsTotal.RemoveLabelled(worker);
    }

    private void Remember(string line)
    {
        lock (_gate)
        {
            _latest.AddFirst($"{_clock.GetUtcNow():HH:mm:ss} {line}");
            while (_latest.Count > LatestEvents) _latest.RemoveLast();
            _status = _status with { Latest = [.. _latest] };
        }
    }

    public StatusModel Status
    {
        get { lock (_gate) return _status with { StartedUtc = _started }; }
    }

    /// <summary>Subscribes a relay to the node's job events; register before the job singleton, as the event feed is.</summary>
    public AkkaConfigurationBuilder AttachTo(AkkaConfigurationBuilder builder) => builder.WithActors((system, _) =>
    {
        var relay = system.ActorOf(Props.Create(() => new Relay(this)), "metrics");
        system.EventStream.Subscribe(relay, typeof(JobEvent));
    });

    private sealed class Relay : ReceiveActor
    {
        public Relay(ClusterMetrics metrics) => Receive<JobEvent>(metrics.On);
    }
}

/// <summary>What the status page shows.</summary>
public sealed record StatusModel(
    string RunId,
    string Dataset,
    string? Outcome,
    ImmutableArray<WorkerRate> Workers,
    int ShardsTotal,
    int ShardsDone,
    int Leased,
    int Queued,
    long TotalInputs,
    long DoneInputs,
    DateTimeOffset StartedUtc,
    DateTimeOffset AtUtc,
    ImmutableArray<string> Latest)
{
    public double ImagesPerSecond { get; init; }

    /// <summary>
    /// Inputs the workers reported processed (the skipped ones of a resume included), counting the images of shards still
    /// running: <see cref="DoneInputs"/> counts verified shards only, so a job of few large shards would sit at 0% for
    /// most of its run.
    /// </summary>
    public long ProcessedInputs { get; init; }

    /// <summary>Inputs processed so far: the workers' running count, never below the verified one.</summary>
    public long InputsSoFar => Math.Max(DoneInputs, ProcessedInputs);

    /// <summary>The share of the job done, by inputs (by shards before the plan's input total is known).</summary>
    public double Fraction => TotalInputs > 0 ? Math.Min(1.0, (double)InputsSoFar / TotalInputs)
        : ShardsTotal > 0 ? (double)ShardsDone / ShardsTotal : 0;

    /// <summary>Inputs left over the current rate; null while nothing moves.</summary>
    public TimeSpan? Eta => ImagesPerSecond > 0 && TotalInputs > InputsSoFar ? TimeSpan.FromSeconds((TotalInputs - InputsSoFar) / ImagesPerSecond) : null;
}
