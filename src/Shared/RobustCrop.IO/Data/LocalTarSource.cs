using RobustCrop.Core.Data;

namespace RobustCrop.IO.Data;

/// <summary>Tars on a local (or mounted) file system: one .tar file, a folder of .tar files in ordinal name order, or a
/// list of tar paths (a brace range such as <c>shards/{00000..09999}.tar</c>, expanded) in the given order.</summary>
public sealed class LocalTarSource : ITarSource
{
    private readonly string[] _paths;
    private readonly string[] _tars;

    /// <param name="path">A .tar file or a folder holding .tar files.</param>
    /// <exception cref="DatasetException">Nothing there, or a folder without tars.</exception>
    public LocalTarSource(string path)
    {
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            _tars = Directory.EnumerateFiles(full, "*.tar", new EnumerationOptions { MatchCasing = MatchCasing.CaseInsensitive })
                .Select(Path.GetFileName).OfType<string>().Where(f => !f.StartsWith('.')).ToArray();
            Array.Sort(_tars, StringComparer.Ordinal);
            if (_tars.Length == 0) throw new DatasetException($"no .tar files in {path}");
            _paths = _tars.Select(t => Path.Combine(full, t)).ToArray();
            KeysNameTheTar = true;
        }
        else if (File.Exists(full))
        {
            _tars = [Path.GetFileName(full)];
            _paths = [full];
        }
        else
        {
            throw new DatasetException($"data not found: {path}");
        }
        Name = ShardPlanning.NameFromPath(full);
    }

    /// <summary>A list of tars, keyed like a folder of tars and named after the first tar's folder.</summary>
    /// <exception cref="DatasetException">A tar is missing, or two tars share a file name.</exception>
    public LocalTarSource(IReadOnlyList<string> tarPaths)
    {
        ArgumentNullException.ThrowIfNull(tarPaths);
        if (tarPaths.Count == 0) throw new DatasetException("no .tar files given");
        _paths = tarPaths.Select(Path.GetFullPath).ToArray();
        foreach (var t in _paths)
            if (!File.Exists(t)) throw new DatasetException($"data not found: {t}");
        _tars = _paths.Select(Path.GetFileName).OfType<string>().ToArray();
        if (_tars.Distinct(StringComparer.Ordinal).Count() != _tars.Length)
            throw new DatasetException("two of the tars given share a file name; their sample keys would collide");
        Name = Path.GetFileName(Path.GetDirectoryName(_paths[0])!);
        KeysNameTheTar = true;
    }

    public string Name { get; }

    public IReadOnlyList<string> Tars => _tars;

    public bool KeysNameTheTar { get; }

    /// <summary>img2dataset's sidecar beside the tar, else a walk over the tar's headers (its data is skipped).</summary>
    public long? CountSamples(string tar)
    {
        string path = PathOf(tar);
        if (Img2DatasetSidecar.LocalCount(path) is long n) return n;
        try
        {
            using var stream = File.OpenRead(path);
            return TarWalk.CountSamples(stream);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public Stream Open(string tar) => File.OpenRead(PathOf(tar));

    public IEnumerable<ListedFile> ListFiles() => _tars.Select((t, i) => ListedFiles.Local(t, _paths[i]));

    private string PathOf(string tar) => _paths[Array.IndexOf(_tars, tar)];
}
