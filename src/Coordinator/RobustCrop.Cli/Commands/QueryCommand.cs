using RobustCrop.Coordinator.Analysis;

namespace RobustCrop.Cli.Commands;

public sealed class QueryCommand : ICommand
{
    public string Name => "query";
    public string Summary => "SQL over a run's Parquet files (DuckDB): views crops, images, errors, summary, rics";
    public string Usage => """
        robustcrop query --run RUN "SQL"
          --run RUN           the run: <out>/<run-id> (a local folder, or a store URI such as az://…/<run-id>)
          --format F          table | csv | json (default table); json is an array of row objects
          --cache DIR         where runs from remote stores are fetched to (default: the temp folder)
          --connection-string S  for az:// runs (default: AZURE_STORAGE_CONNECTION_STRING); never printed
        views: crops, images, rics (with a model column from the model=<m>/ folders), errors, summary
        example: robustcrop query --run out/demo "SELECT model, avg(fooled_1px::INT) FROM images GROUP BY model"
        """;

    public async Task<int> RunAsync(CommandLine a, CancellationToken ct)
    {
        string run = a.String("run") ?? throw new UsageException("--run <out>/<run-id> is required");
        var format = QueryOutput.ParseFormat(a.String("format", "table"));
        string cache = a.String("cache") ?? RunLocation.DefaultCacheRoot;
        string? connectionString = a.String("connection-string");
        if (a.Positional.Count == 0) throw new UsageException("give exactly one SQL statement, quoted: robustcrop query --run RUN \"SELECT …\"");
        string sql = a.Positional[0];
        a.ThrowOnUnused(positionals: 1);

        var location = RunLocation.Open(run, connectionString);
        string folder = await location.LocalFolderAsync(cache, ct);
        using var db = RunDatabase.Open(folder);
        var result = db.Query(sql, ct);
        QueryOutput.Write(result, format, System.Console.Out);
        return 0;
    }
}
