namespace RobustCrop.Coordinator.Cluster;

/// <summary>
/// What the coordinator reports as the job goes. Called at the edge, by <see cref="JobEventFeed.WaitAsync"/> from the
/// command's own async code, one call at a time; never from an actor's mailbox, so an implementation may write to a
/// console or a file.
/// </summary>
public interface IJobObserver
{
    void Planned(JobPlan plan);

    /// <summary>Totals over the run so far (skipped inputs included).</summary>
    void Progress(long images, long crops);

    /// <summary>A line for the user (a resumed run, a fallback).</summary>
    void Note(string line);

    /// <summary>A machine-readable scheduling event ("shard_done …", "requeued …"): for cluster logs, not the embedded run's console.</summary>
    void Event(string line);

    /// <summary>The periodic machine-readable "cluster …" line and the per-worker lines.</summary>
    void Status(IReadOnlyList<string> lines);

    void Finished();
}

/// <summary>The run's console progress; scheduling events and status lines only when <paramref name="verbose"/> (a cluster coordinator).</summary>
public sealed class ConsoleJobObserver(RobustCrop.Coordinator.Console.RunProgress progress, bool verbose) : IJobObserver
{
    public void Planned(JobPlan plan)
    {
        progress.Start(plan.Dataset, plan.TotalInputs, plan.Models);
        if (plan.SkippedInputs > 0) progress.ShardSkipped(plan.SkippedInputs);
    }

    public void Progress(long images, long crops) => progress.Report(images, crops);

    public void Note(string line) => progress.Note(line);

    public void Event(string line)
    {
        if (verbose) progress.Note(line);
    }

    public void Status(IReadOnlyList<string> lines)
    {
        if (!verbose) return;
        foreach (var l in lines) progress.Note(l);
    }

    public void Finished() => progress.Complete();
}
