namespace RobustCrop.IO.Data;

/// <summary>
/// A dataset cannot be opened at all (missing path, structurally broken file). Its message is one
/// line meant for the user; bad individual items are never thrown, they become ReadError records.
/// </summary>
public sealed class DatasetException : Exception
{
    public DatasetException(string message) : base(message) { }

    public DatasetException(string message, Exception inner) : base(message, inner) { }
}
