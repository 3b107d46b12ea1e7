using DuckDB.NET.Data;

namespace RobustCrop.Coordinator.Analysis;

/// <summary>The rows and column names of one query result. Cells are the provider's CLR values (null for SQL NULL).</summary>
public sealed record QueryResult(IReadOnlyList<string> Columns, IReadOnlyList<object?[]> Rows);

/// <summary>
/// An in-memory DuckDB database with one view per result table of a run folder: <c>crops</c>, <c>images</c>,
/// <c>errors</c>, <c>summary</c> and, when the run evaluated RICS, <c>rics</c>.
/// </summary>
public sealed class RunDatabase : IDisposable
{
    /// <summary>The per-model tables are Hive-partitioned (<c>model=&lt;m&gt;/</c>).</summary>
    private static readonly string[] PartitionedTables = ["crops", "images", "rics"];

    private readonly DuckDBConnection _connection;

    private RunDatabase(DuckDBConnection connection, IReadOnlyList<string> views)
    {
        _connection = connection;
        Views = views;
    }

    public IReadOnlyList<string> Views { get; }

    public static RunDatabase Open(string runFolder)
    {
        var connection = new DuckDBConnection("DataSource=:memory:");
        try
        {
            connection.Open();
            var views = new List<string>();
            foreach (var table in PartitionedTables.Append("errors"))
            {
                string dir = Path.Combine(runFolder, table);
                if (!Directory.Exists(dir) || !Directory.EnumerateFiles(dir, "*.parquet", SearchOption.AllDirectories).Any()) continue;
                // union_by_name: shards written with and without optional columns (embeddings) still form one table.
                // The model column is in the files too; hive_partitioning adds it for files that lack it, and the
                // partition value agrees with the file's by construction.
                bool hive = PartitionedTables.Contains(table);
                string glob = hive ? $"{dir}/*/*.parquet" : $"{dir}/*.parquet";
                Execute(connection, $"CREATE VIEW {table} AS SELECT * FROM read_parquet({Literal(glob)}, hive_partitioning = {(hive ? "true" : "false")}, union_by_name = true)");
                views.Add(table);
            }
            string summary = Path.Combine(runFolder, "summary.parquet");
            if (File.Exists(summary))
            {
                Execute(connection, $"CREATE VIEW summary AS SELECT * FROM read_parquet({Literal(summary)})");
                views.Add("summary");
            }
            if (views.Count == 0) throw new FileNotFoundException($"no result Parquet files under {runFolder}");
            return new RunDatabase(connection, views);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
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
