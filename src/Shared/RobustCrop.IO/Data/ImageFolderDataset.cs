using System.Collections.Frozen;
using RobustCrop.Core.Data;

namespace RobustCrop.IO.Data;

/// <summary>
/// Files under a root folder (ImageNet validation layout): the first-level folder name is the label,
/// files directly under the root are unlabelled.
/// </summary>
/// <remarks>
/// Every regular file is yielded, whatever its extension, except hidden files (a name or folder
/// starting with '.') and text files that travel with datasets (*.md, *.txt, README, LICENSE…).
/// A mislabelled or unknown file thus becomes an error row when it fails to decode, instead of
/// silently shrinking the dataset. Symbolic links are not regular files and are skipped, which also
/// keeps a link loop from hanging the listing. The listing is taken once, at construction, and sorted ordinally by
/// relative path with '/' separators, so every process that opens the same unchanged folder plans the
/// same shards.
/// </remarks>
public sealed class ImageFolderDataset : IImageDataset
{
    public const long DefaultMaxFileBytes = 64L * 1024 * 1024;

    /// <summary>Extensions of the image files this layout normally holds (lower case, no dot).</summary>
    public static readonly FrozenSet<string> ImageExtensions =
        new[] { "jpg", "jpeg", "png", "gif", "bmp", "webp", "tif", "tiff" }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenSet<string> TextNames =
        new[] { "readme", "license", "licence", "licenses", "licences", "copying", "notice" }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    private readonly string _root;
    private readonly long _maxFileBytes;
    private readonly string[] _files;

    public ImageFolderDataset(string root, string? name = null, long maxFileBytes = DefaultMaxFileBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxFileBytes);
        if (!Directory.Exists(root))
            throw new DatasetException($"data not found: {root}");
        _root = Path.GetFullPath(root);
        _maxFileBytes = maxFileBytes;
        Name = name ?? ShardPlanning.NameFromPath(root);
        _files = List(_root);
    }

    private ImageFolderDataset(string root, string name, long maxFileBytes, string[] files)
    {
        _root = root;
        Name = name;
        _maxFileBytes = maxFileBytes;
        _files = files;
    }

    /// <summary>
    /// One image file as a one-image dataset named after the file without extension, keyed like a folder's unlabelled
    /// file ("astronaut/astronaut.png"), so a single photo runs through predict or evaluate like any other source.
    /// </summary>
    public static ImageFolderDataset OfFile(string path, string? name = null, long maxFileBytes = DefaultMaxFileBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxFileBytes);
        if (!File.Exists(path))
            throw new DatasetException($"data not found: {path}");
        string full = Path.GetFullPath(path);
        return new ImageFolderDataset(Path.GetDirectoryName(full)!, name ?? ShardPlanning.NameFromPath(path), maxFileBytes, [Path.GetFileName(full)]);
    }

    /// <summary>Whether a file's extension is one of <see cref="ImageExtensions"/> (any case).</summary>
    public static bool IsImageFile(string path)
        => ImageExtensions.Contains(Path.GetExtension(path).TrimStart('.').ToLowerInvariant());

    public string Name { get; }

    /// <summary>Number of files listed.</summary>
    public int Count => _files.Length;

    public IEnumerable<ListedFile> ListFiles() => _files.Select(f => ListedFiles.Local(f, Path.Combine(_root, f)));

    /// <summary>Relative paths ('/' separators) in listing order.</summary>
    public IReadOnlyList<string> Files => _files;

    public IReadOnlyList<DatasetShard> PlanShards(int shardSize)
        => ShardPlanning.Slices(_files.Length, shardSize)
            .Select((s, i) => new DatasetShard(new ShardId(i), ShardSource.Of(Name), s.Start, s.Count))
            .ToList();

    public IEnumerable<ImageRecord> ReadShard(DatasetShard shard)
    {
        var (start, end) = ShardPlanning.Range(shard, _files.Length);
        for (long i = start; i < end; i++)
            yield return Read(_files[i]);
    }

    private ImageRecord Read(string relative)
    {
        string key = $"{Name}/{relative}";
        int slash = relative.IndexOf('/');
        string? label = slash < 0 ? null : relative[..slash];
        try
        {
            var info = new FileInfo(Path.Combine(_root, relative));
            if (info.Length > _maxFileBytes)
                return new ImageRecord(key, label, null, null, $"file is {info.Length} bytes, over the {_maxFileBytes}-byte limit");
            return new ImageRecord(key, label, File.ReadAllBytes(info.FullName), null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new ImageRecord(key, label, null, null, $"cannot read file: {e.Message}");
        }
    }

    private static string[] List(string root)
    {
        var options = new EnumerationOptions
        {
            RecurseSubdirectories = true,
            IgnoreInaccessible = true,
            AttributesToSkip = FileAttributes.Hidden | FileAttributes.System | FileAttributes.ReparsePoint,
            ReturnSpecialDirectories = false,
        };
        var files = Directory.EnumerateFiles(root, "*", options)
            .Select(f => Path.GetRelativePath(root, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Where(rel => !IsSkipped(rel))
            .ToArray();
        Array.Sort(files, StringComparer.Ordinal);
        return files;
    }

    private static bool IsSkipped(string relative)
    {
        // Hidden is checked per segment: AttributesToSkip alone does not cover every platform.
        if (relative.Split('/').Any(segment => segment.StartsWith('.')))
            return true;
        string file = relative[(relative.LastIndexOf('/') + 1)..];
        string ext = Path.GetExtension(file);
        if (ext.Equals(".md", StringComparison.OrdinalIgnoreCase) || ext.Equals(".txt", StringComparison.OrdinalIgnoreCase))
            return true;
        return TextNames.Contains(Path.GetFileNameWithoutExtension(file));
    }
}
