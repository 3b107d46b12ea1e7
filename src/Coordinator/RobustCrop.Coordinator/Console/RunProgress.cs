using System.Diagnostics;
using System.Globalization;

namespace RobustCrop.Coordinator.Console;

/// <summary>
/// Progress of a run on stderr: inputs done (images and error rows: every input is one of them, so images + errors =
/// inputs and the count reaches the total), crops/s and ETA. On a terminal one line redraws in place; otherwise
/// (logs, CI) a machine-readable line "progress key=value …" is written every few seconds.
/// Thread-safe: the shard pipeline reports from its inference thread.
/// </summary>
public sealed class RunProgress(TextWriter output, bool interactive, TimeSpan? interval = null)
{
    private readonly Lock _gate = new();
    private readonly Stopwatch _clock = new();
    private readonly TimeSpan _interval = interval ?? (interactive ? TimeSpan.FromMilliseconds(250) : TimeSpan.FromSeconds(5));
    private TimeSpan? _lastDraw;
    private long _inputs, _total, _crops, _cropsDone, _skipped;
    private string _dataset = "";

    public void Start(string dataset, long totalInputs, int models)
    {
        lock (_gate) { _dataset = dataset; _total = totalInputs; _clock.Start(); }
        Note($"evaluating {dataset}: {(totalInputs > 0 ? totalInputs.ToString(CultureInfo.InvariantCulture) : "?")} inputs x {models} model(s)");
    }

    public void Advance(int inputs, long cropsInShard)
    {
        lock (_gate) { _inputs += inputs; _crops = _cropsDone + cropsInShard; Draw(force: false); }
    }

    /// <summary>Absolute totals (skipped inputs included), as reported by a coordinator that sums its workers.</summary>
    public void Report(long inputs, long crops)
    {
        lock (_gate) { _inputs = inputs; _crops = crops; _cropsDone = crops; Draw(force: false); }
    }

    public void ShardSkipped(long inputs)
    {
        lock (_gate) { _inputs += inputs; _skipped += inputs; }
    }

    /// <summary>The job completed: every planned input is done, whatever the last (periodic) worker report said.</summary>
    public void Complete()
    {
        lock (_gate) { if (_total > 0) _inputs = _total; }
        Finish();
    }

    public void Finish()
    {
        lock (_gate) { Draw(force: true); if (interactive) output.WriteLine(); }
    }

    public void Note(string line)
    {
        lock (_gate)
        {
            if (interactive && _lastDraw is not null) output.Write("\r\x1b[2K");
            output.WriteLine(line);
        }
    }

    private void Draw(bool force)
    {
        var now = _clock.Elapsed;
        if (!force && _lastDraw is { } last && now - last < _interval) return;
        _lastDraw = now;
        double secs = Math.Max(now.TotalSeconds, 1e-3);
        double cropsPerSec = _crops / secs;
        double imagesPerSec = (_inputs - _skipped) / secs;
        double? eta = _total > 0 && imagesPerSec > 0 ? Math.Max(0, _total - _inputs) / imagesPerSec : null;
        string line = string.Create(CultureInfo.InvariantCulture,
            $"progress inputs={_inputs} total={_total} crops={_crops} crops_per_s={cropsPerSec:F1} elapsed_s={secs:F0} eta_s={(eta is double e ? e.ToString("F0", CultureInfo.InvariantCulture) : "?")}");
        if (interactive)
        {
            string pct = _total > 0 ? $"{100.0 * _inputs / _total,5:F1}%" : "";
            output.Write(string.Create(CultureInfo.InvariantCulture,
                $"\r\x1b[2K{_dataset} {pct} inputs {_inputs}/{_total}  {cropsPerSec:F1} crops/s  ETA {(eta is double t ? TimeSpan.FromSeconds(t).ToString(@"mm\:ss") : "--:--")}"));
        }
        else output.WriteLine(line);
    }
}
