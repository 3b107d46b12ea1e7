namespace RobustCrop.Cli.Options;

/// <summary>A bad argument found while a command runs: the message is the one line printed before exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
