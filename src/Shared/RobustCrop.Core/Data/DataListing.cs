using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;

namespace RobustCrop.Core.Data;

/// <summary>One file of a dataset as its store lists it: name, size and version (a modification time locally, an ETag in
/// blob storage).</summary>
public readonly record struct ListedFile(string Name, long Bytes, string Version);

/// <summary>
/// What a dataset's inputs are, as their store lists them: how many files, how many bytes, and a SHA-256 over every
/// file's name, size and version. A run stores it in its plan, so a resume over changed data (a file replaced, resized,
/// added or removed) is refused instead of mixing results of two versions of the data. Reads no file's content.
/// </summary>
public sealed record DataListing(
    [property: JsonPropertyName("files")] int Files,
    [property: JsonPropertyName("bytes")] long Bytes,
    [property: JsonPropertyName("sha256")] string Sha256)
{
    public static DataListing Of(IEnumerable<ListedFile> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        int count = 0;
        long bytes = 0;
        foreach (var f in files)
        {
            count++;
            bytes += f.Bytes;
            hash.AppendData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{f.Name}\t{f.Bytes}\t{f.Version}\n")));
        }
        return new DataListing(count, bytes, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Files} files of {Bytes} bytes");
}
