namespace RobustCrop.Core.Results;

/// <summary>Where an input became unusable; written to the errors files' <c>stage</c> column by <see cref="ErrorStages.Name"/>.</summary>
public enum ErrorStage
{
    /// <summary>The dataset could not deliver the record's bytes.</summary>
    Read,

    /// <summary>The bytes are not a decodable image within the limits.</summary>
    Decode,

    /// <summary>The image decoded but leaves no room for the crops the run measures.</summary>
    Plan,
}

public static class ErrorStages
{
    public static string Name(ErrorStage stage) => stage switch
    {
        ErrorStage.Read => "read",
        ErrorStage.Decode => "decode",
        ErrorStage.Plan => "plan",
        _ => throw new ArgumentOutOfRangeException(nameof(stage), stage, null),
    };
}
