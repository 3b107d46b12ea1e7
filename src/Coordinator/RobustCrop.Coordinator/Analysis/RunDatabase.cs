using DuckDB.NET.Data;
using RobustCrop.IO.Results;

namespace RobustCrop.Coordinator.Analysis;

/// <summary>The rows and column names of one query result. Cells are the provider's CLR values (null for SQL NULL).</summary>
public sealed record QueryResult(IReadOnlyList<string> Columns, IReadOnlyList<object?[]> Rows);

/// <summary>
/// An in-memory DuckDB database with one view per result table of a run folder: for an evaluate run <c>crops</c>,
/// <c>images</c>, <c>errors</c>, <c>summary</c>, when the run evaluated RICS, <c>rics</c>, and with --motion, <c>motion</c>; for a predict run
/// <c>predictions</c> and <c>errors</c>.
/// </summary>
public sealed class RunDatabase : IDisposable
{
    /// <summary>The per-model tables are Hive-partitioned (<c>model=&lt;m&gt;/</c>).</summary>
    private static readonly string[] PartitionedTables = ["crops", "images", "rics", "motion"];

    /// <summary>Tables with one folder of parts: a predict run's rows (one model per run) and every run's errors.</summary>
    private static readonly string[] FlatTables = ["predictions", "errors"];

    private readonly DuckDBConnection _connection;

    private RunDatabase(DuckDBConnection connection, IReadOnlyList<string> views)
    {
        _connection = connection;
        Views = views;
    }

    public IReadOnlyList<string> Views { get; }

    /// <exception cref="FileNotFoundException">The run has no finished shard (no manifest) and no summary.</exception>
    public static RunDatabase Open(string runFolder)
    {
        // Only the files of shards with a manifest count: a shard that failed before its manifest may have left Parquet
        // files behind, and a retry on another worker writes them again under the same names. Files are matched by shard
        // number (part-NNNNN), so a copy of a run whose model=<m>/ folders were renamed still reads.
        var done = FinishedShards(runFolder);
        var connection = new DuckDBConnection("DataSource=:memory:");
        try
        {
            connection.Open();
            var views = new List<string>();
            foreach (var table in PartitionedTables.Concat(FlatTables))
            {
                string dir = Path.Combine(runFolder, table);
                if (!Directory.Exists(dir)) continue;
                bool hive = PartitionedTables.Contains(table);
                var tableFiles = Directory.EnumerateFiles(dir, "part-*.parquet", hive ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly)
                    .Where(f => ShardOf(f) is { } shard && done.Contains(shard))
                    .Order(StringComparer.Ordinal).ToList();
                if (tableFiles.Count == 0) continue;
                // union_by_name: shards written with and without optional columns (embeddings) still form one table.
                // The model column is in no file: hive_partitioning takes it from the model=<m>/ folder, once.
                string list = "[" + string.Join(", ", tableFiles.Select(Literal)) + "]";
                Execute(connection, $"CREATE VIEW {table} AS SELECT * FROM read_parquet({list}, hive_partitioning = {(hive ? "true" : "false")}, union_by_name = true)");
                views.Add(table);
            }
            string summary = Path.Combine(runFolder, "summary.parquet");
            if (File.Exists(summary))
            {
                Execute(connection, $"CREATE VIEW summary AS SELECT * FROM read_parquet({Literal(summary)})");
                views.Add("summary");
            }
            if (views.Count == 0) throw new FileNotFoundException($"no finished shard (no _manifests/shard-*.json) and no summary under {runFolder}");
            return new RunDatabase(connection, views);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>The shard numbers that have a manifest.</summary>
    private static HashSet<int> FinishedShards(string runFolder)
    {
        var shards = new HashSet<int>();
        string dir = Path.Combine(runFolder, "_manifests");
        if (!Directory.Exists(dir)) return shards;
        foreach (var path in Directory.EnumerateFiles(dir, "shard-*.json"))
        {
            try
            {
                shards.Add(ShardManifestIo.Deserialize(File.ReadAllText(path)).Shard);
            }
            catch (System.Text.Json.JsonException e)
            {
                throw new InvalidDataException($"unreadable shard manifest {Path.GetFileName(path)}: {e.Message}", e);
            }
        }
        return shards;
    }

    /// <summary>12 from ".../part-00012.parquet"; null for any other name.</summary>
    private static int? ShardOf(string file)
    {
        string name = Path.GetFileNameWithoutExtension(file);
        return name.StartsWith("part-", StringComparison.Ordinal)
               && int.TryParse(name.AsSpan(5), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int shard)
            ? shard : null;
    }

    /// <exception cref="DuckDBException">The SQL does not parse, names an unknown column, or fails while running.</exception>
    public QueryResult Query(string sql, CancellationToken ct = default)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToArray();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            ct.ThrowIfCancellationRequested();
            var row = new object?[columns.Length];
            for (int i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(row);
        }
        return new QueryResult(columns, rows);
    }

    public void Dispose() => _connection.Dispose();

    private static void Execute(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>A SQL string literal; run folders may contain quotes.</summary>
    private static string Literal(string s) => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'";
}
