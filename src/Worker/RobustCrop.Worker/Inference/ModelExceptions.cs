namespace RobustCrop.Worker.Inference;

/// <summary>A model could not be loaded or does not fit the run; the message is one line meant for the user.</summary>
public sealed class ModelLoadException : Exception
{
    public ModelLoadException(string message)
        : base(message)
    {
    }

    public ModelLoadException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>A model produced NaN or infinity, or failed while running; the run stops with this one-line message.</summary>
public sealed class ModelOutputException : Exception
{
    public ModelOutputException(string message)
        : base(message)
    {
    }

    public ModelOutputException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
