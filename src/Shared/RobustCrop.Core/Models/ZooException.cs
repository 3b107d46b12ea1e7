namespace RobustCrop.Core.Models;

/// <summary>A zoo file or head file that cannot be used; the message is one line naming the problem.</summary>
public sealed class ZooException(string message) : Exception(message);
