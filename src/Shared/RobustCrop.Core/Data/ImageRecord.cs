using RobustCrop.Core.Imaging;

namespace RobustCrop.Core.Data;

/// <summary>One input of a dataset, as read from its source, before decoding.</summary>
/// <param name="Key">Unique and stable within the dataset, e.g. "photos/astronaut.png" or "fashion-mnist/t10k/000042".</param>
/// <param name="Label">Class name when the source is labelled, else null.</param>
/// <param name="Encoded">Encoded file bytes (JPEG, PNG, …) when the source stores files.</param>
/// <param name="Raw">Already-decoded pixels when the source stores raw arrays (IDX).</param>
/// <param name="ReadError">Why the record could not be read; then Encoded and Raw are null.</param>
/// <param name="Metadata">The sample's img2dataset metadata (.json sidecar), when the source has it.</param>
public sealed record ImageRecord(
    string Key,
    string? Label,
    ReadOnlyMemory<byte>? Encoded,
    RgbImage? Raw,
    string? ReadError = null,
    SampleMetadata? Metadata = null);
