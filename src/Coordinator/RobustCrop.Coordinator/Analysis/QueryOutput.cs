using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using Spectre.Console;

namespace RobustCrop.Coordinator.Analysis;

public enum QueryFormat { Table, Csv, Json }

/// <summary>Writes a <see cref="QueryResult"/> as an aligned table, CSV (RFC 4180) or a JSON array of row objects.</summary>
public static class QueryOutput
{
    public static QueryFormat ParseFormat(string s) => s switch
    {
        "table" => QueryFormat.Table,
        "csv" => QueryFormat.Csv,
        "json" => QueryFormat.Json,
        _ => throw new ArgumentException($"--format must be table, csv or json; got '{s}'"),
    };

    public static void Write(QueryResult result, QueryFormat format, TextWriter output)
    {
        switch (format)
        {
            case QueryFormat.Csv: WriteCsv(result, output); break;
            case QueryFormat.Json: WriteJson(result, output); break;
            default: WriteTable(result, output); break;
        }
    }

    private static void WriteTable(QueryResult result, TextWriter output)
    {
        // A console bound to this writer (not the process-wide AnsiConsole) so redirected and captured output get the
        // same table; the width is generous because a pipe reports 80 columns and folds every cell.
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
        });
        console.Profile.Width = Math.Max(console.Profile.Width, 200);
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var c in result.Columns) table.AddColumn(new TableColumn(Markup.Escape(c)));
        for (int i = 0; i < result.Columns.Count; i++)
            if (result.Rows.Count > 0 && result.Rows.All(r => r[i] is null || IsNumber(r[i]!))) table.Columns[i].RightAligned();
        foreach (var row in result.Rows) table.AddRow(row.Select(v => Markup.Escape(Text(v, "NULL"))).ToArray());
        console.Write(table);
        output.WriteLine($"{result.Rows.Count} row{(result.Rows.Count == 1 ? "" : "s")}");
    }

    private static void WriteCsv(QueryResult result, TextWriter output)
    {
        output.WriteLine(string.Join(',', result.Columns.Select(Quote)));
        foreach (var row in result.Rows) output.WriteLine(string.Join(',', row.Select(v => v is null ? "" : Quote(Text(v, "")))));
    }

    private static string Quote(string s)
        => s.AsSpan().IndexOfAny(",\"\r\n") < 0 ? s : "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static void WriteJson(QueryResult result, TextWriter output)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartArray();
            foreach (var row in result.Rows)
            {
                json.WriteStartObject();
                for (int i = 0; i < row.Length; i++)
                {
                    json.WritePropertyName(result.Columns[i]);
                    WriteJsonValue(json, row[i]);
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        output.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private static void WriteJsonValue(Utf8JsonWriter json, object? v)
    {
        switch (v)
        {
            case null: json.WriteNullValue(); break;
            case bool b: json.WriteBooleanValue(b); break;
            case string s: json.WriteStringValue(s); break;
            // JSON has no NaN or infinity; null says "no number" without inventing one.
            case double d when !double.IsFinite(d): json.WriteNullValue(); break;
            case float f when !float.IsFinite(f): json.WriteNullValue(); break;
            case double d: json.WriteNumberValue(d); break;
            case float f: json.WriteNumberValue(f); break;
            case decimal m: json.WriteNumberValue(m); break;
            case sbyte or byte or short or ushort or int or uint or long: json.WriteNumberValue(Convert.ToInt64(v, CultureInfo.InvariantCulture)); break;
            case ulong u: json.WriteNumberValue(u); break;
            case BigInteger or Int128 or UInt128: json.WriteRawValue(Text(v, "null")); break;
            case IDictionary dict:
                json.WriteStartObject();
                foreach (DictionaryEntry e in dict)
                {
                    json.WritePropertyName(Convert.ToString(e.Key, CultureInfo.InvariantCulture) ?? "");
                    WriteJsonValue(json, e.Value);
                }
                json.WriteEndObject();
                break;
            case IEnumerable list and not byte[]:
                json.WriteStartArray();
                foreach (var item in list) WriteJsonValue(json, item);
                json.WriteEndArray();
                break;
            default: json.WriteStringValue(Text(v, "")); break;
        }
    }

    private static bool IsNumber(object v) => v is sbyte or byte or short or ushort or int or uint or long or ulong or float or double or decimal or BigInteger or Int128 or UInt128;

    /// <summary>Culture-invariant text of a cell: round-trip numbers, ISO dates, [a, b] lists.</summary>
    private static string Text(object? v, string nullText) => v switch
    {
        null => nullText,
        string s => s,
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        DateTime t => t.ToString("O", CultureInfo.InvariantCulture),
        DateTimeOffset t => t.ToString("O", CultureInfo.InvariantCulture),
        byte[] bytes => Convert.ToHexString(bytes),
        IDictionary dict => "{" + string.Join(", ", dict.Cast<DictionaryEntry>().Select(e => $"{Text(e.Key, "NULL")}: {Text(e.Value, "NULL")}")) + "}",
        IEnumerable list => "[" + string.Join(", ", list.Cast<object?>().Select(x => Text(x, "NULL"))) + "]",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };
}
