using System.CommandLine;
using RobustCrop.Cli.Options;
using RobustCrop.Coordinator.Jobs;

namespace RobustCrop.Cli.Commands;

public sealed class FitHeadCommand : Command
{
    public FitHeadCommand(CliConsole io) : base("fit-head", "fit a prototype head (class means of embeddings) on a labelled reference set")
    {
        var model = CliOptions.String("--model", "embedding model from the zoo", helpName: "ID", required: true);
        var data = CliOptions.String("--data", "labelled reference set, e.g. samples/fashion-mnist#train", helpName: "PATH", required: true);
        var output = CliOptions.String("--out", "head file to write (JSON); point a zoo entry's `head:` at it", helpName: "FILE", required: true);
        var zoo = new Option<string>("--zoo") { Description = "zoo file", HelpName = "FILE", DefaultValueFactory = _ => ShippedFiles.DefaultZoo };
        // Linear and zero-shot heads are loaded from files; only prototype heads are fitted here.
        var kind = CliOptions.OneOf("--kind", "head kind to fit", Defaults.FitHead.Kind, "KIND", Defaults.FitHead.Kind);
        var limit = CliOptions.Int("--limit", "at most N reference images (0 = all)", Defaults.FitHead.Limit, 0, int.MaxValue);
        var device = CliOptions.Device();
        var threads = CliOptions.Threads();
        foreach (var o in new Option[] { model, data, output, zoo, kind, limit, device, threads }) Add(o);
        SetAction((p, ct) =>
        {
            var job = new FitHeadJob(new FitHeadOptions(p.GetValue(model)!, p.GetValue(data)!, p.GetValue(output)!, p.GetValue(zoo)!,
                p.GetValue(limit), p.GetValue(device)!, p.GetValue(threads), Defaults.FitHead.ShardSize));
            var fitted = job.Run(ct);
            io.Out.WriteLine($"fitted a prototype head for {fitted.Model} on {fitted.Images} images of {fitted.Classes} classes " +
                             $"({fitted.Unusable} unusable, {fitted.Unlabelled} unlabelled) -> {fitted.Output}");
            return Task.FromResult(0);
        });
    }
}
