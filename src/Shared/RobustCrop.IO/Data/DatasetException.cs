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

/// <summary>
/// The storage holding the data failed (retries exhausted) while a shard was read. Unlike a corrupt file, this says
/// nothing about the data: the shard fails as a whole, before its manifest, so a retry or a resume reads it again and
/// nothing is lost or duplicated.
/// </summary>
public sealed class DataSourceException(string message, Exception? inner = null) : Exception(message, inner);
