namespace RobustCrop.Core.Data;

/// <summary>
/// What img2dataset records per sample in its <c>.json</c> sidecar, carried into the images rows so results can be
/// joined back to the collection: the source URL, the caption (kept only on request: it can be large), img2dataset's
/// own key, the original width and height it saw, and its download status.
/// </summary>
public sealed record SampleMetadata(string? Url, string? Caption, string? Key, int? Width, int? Height, string? Status);
