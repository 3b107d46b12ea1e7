using RobustCrop.IO.Storage;

namespace RobustCrop.IO;

/// <summary>
/// The one line a user reads for an expected failure, the same whether it happened in this process (the CLI) or on a
/// worker that reports it to the coordinator: storage failures say so and never carry a key.
/// </summary>
public static class FailureReasons
{
    public static string Describe(Exception e)
    {
        if (e is AggregateException agg)
        {
            if (StorageErrors.Exhausted(agg) is { } last) return $"storage error after {agg.InnerExceptions.Count} tries: {StorageErrors.Describe(last)}";
            if (agg.InnerException is { } inner) return Describe(inner);
        }
        string text = e switch
        {
            // Azure's messages span many lines (request id, headers); StorageErrors keeps the first and never a key.
            Azure.RequestFailedException r => $"storage error: {StorageErrors.Describe(r)}",
            IOException or UnauthorizedAccessException => $"storage error: {StorageErrors.Redact(e.Message)}",
            // ArgumentException appends " (Parameter 'name')" to its message: a C# detail, not part of the user's reason.
            ArgumentException { ParamName: { } p } a => a.Message.Replace($" (Parameter '{p}')", "", StringComparison.Ordinal),
            _ => e.Message,
        };
        return text.Split('\n')[0].Trim();
    }
}
