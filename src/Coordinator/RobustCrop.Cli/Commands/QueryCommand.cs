using System.CommandLine;
using RobustCrop.Cli.Options;
using RobustCrop.Coordinator.Analysis;

namespace RobustCrop.Cli.Commands;

public sealed class QueryCommand : Command
{
    public QueryCommand(CliConsole io) : base("query",
        "SQL over a run's Parquet files (DuckDB). Views: crops, images, rics (with a model column from the model=<m>/ folders), errors, summary; "
        + "a predict run: predictions, errors. "
        + "Example: robustcrop query --run out/demo \"SELECT model, avg(fooled_1px::INT) FROM images GROUP BY model\"")
    {
        var run = CliOptions.String("--run", "the run: <out>/<run-id> (a local folder, or a store URI such as az://…/<run-id>)", helpName: "RUN", required: true);
        var format = CliOptions.OneOf("--format", "output format; json is an array of row objects", Defaults.Query.Format, "F", "table", "csv", "json");
        var cache = new Option<string>("--cache") { Description = "where runs from remote stores are fetched to", HelpName = "DIR", DefaultValueFactory = _ => RunLocation.DefaultCacheRoot };
        var connectionString = CliOptions.String("--connection-string", "for az:// runs (default: AZURE_STORAGE_CONNECTION_STRING); never printed", helpName: "CS");
        var sql = new Argument<string>("SQL") { Description = "one SQL statement, quoted", Arity = ArgumentArity.ZeroOrOne };
        foreach (var o in new Option[] { run, format, cache, connectionString }) Add(o);
        Add(sql);
        Validators.Add(r =>
        {
            if (r.GetResult(sql) is null || r.GetValue(sql) is null)
                r.AddError("give exactly one SQL statement, quoted: robustcrop query --run RUN \"SELECT …\"");
        });

        SetAction(async (p, ct) =>
        {
            var location = RunLocation.Open(p.GetValue(run)!, p.GetValue(connectionString));
            string folder = await location.LocalFolderAsync(p.GetValue(cache)!, ct);
            using var db = RunDatabase.Open(folder);
            var result = db.Query(p.GetValue(sql)!, ct);
            QueryOutput.Write(result, QueryOutput.ParseFormat(p.GetValue(format)!.ToLowerInvariant()), io.Out);
            return 0;
        });
    }
}
