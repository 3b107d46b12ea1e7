using System.CommandLine;
using RobustCrop.Cli.Options;
using RobustCrop.Coordinator.Console;
using RobustCrop.Coordinator.Jobs;

namespace RobustCrop.Cli.Commands;

public sealed class EvaluateCommand : Command
{
    public EvaluateCommand(CliConsole io) : base("evaluate", "measure models' consistency under 1-pixel shifts over a dataset")
    {
        var job = new EvaluateOptionSet();
        job.AddTo(this);
        var workers = CliOptions.Int("--workers",
            "local worker actors; each loads the models once and runs one shard at a time", Defaults.Evaluate.Workers, 1, int.MaxValue);
        Add(workers);
        Validators.Add(r => job.ValidateWorkers(r, workers));
        Validators.Add(job.ValidateGallery);
        Validators.Add(job.ValidateModes);
        SetAction(async (p, ct) =>
        {
            var options = job.Bind(p);
            var progress = new RunProgress(io.Err, io.ErrIsTerminal);
            var summary = await new EvaluateJob(options, progress, ClusterTopology.Embedded(p.GetValue(workers))).RunAsync(ct);
            SummaryTable.Print(io.Ansi, summary, Path.Combine(options.Run.Out, options.Run.RunId.Value));
            return 0;
        });
    }
}
