namespace RobustCrop.IO.Data;

/// <summary>Opens a dataset from the command line's data spec.</summary>
public static class DatasetFactory
{
    /// <summary>The IDX split opened when a folder holds several and none is named.</summary>
    public const string PreferredIdxSplit = "t10k";

    /// <summary>
    /// Opens a comma-separated list of paths; several paths make a <see cref="CompositeDataset"/> in the
    /// given order. Each path is detected from what is there:
    /// <list type="bullet">
    /// <item>a folder with <c>*-images-idx3-ubyte[.gz]</c> files → one <see cref="IdxDataset"/>: the split named
    /// after '#' (<c>samples/fashion-mnist#train</c>), else the test split t10k when present (evaluation
    /// uses test data unless told otherwise), else the first split in name order;</item>
    /// <item>an <c>*-images-idx3-ubyte[.gz]</c> file → <see cref="IdxDataset"/> of that file;</item>
    /// <item>a .tar file, or a folder holding .tar files → <see cref="WebDatasetTarDataset"/>; a brace list of tars
    /// (<c>shards/{00000..09999}.tar</c>) too;</item>
    /// <item><c>az://container/prefix/</c> (its .tar blobs) or an az:// brace list → <see cref="AzureTarDataset"/>;</item>
    /// <item>a .parquet file → <see cref="ParquetImageDataset"/>;</item>
    /// <item>an image file (.png, .jpg…) → a one-image <see cref="ImageFolderDataset"/> keyed "&lt;name&gt;/&lt;file&gt;";</item>
    /// <item>any other folder → <see cref="ImageFolderDataset"/>.</item>
    /// </list>
    /// A dataset is named after its folder or file, without extension.
    /// </summary>
    /// <exception cref="DatasetException">A path is missing, unsupported or broken.</exception>
    /// <param name="connectionString">For az:// sources (else the credential variables, see <c>StoreFactory.Service</c>).</param>
    public static IImageDataset Open(string spec, string? connectionString = null)
    {
        var paths = Core.Data.BraceExpansion.SplitTopLevel(spec).Select(p => p.Trim()).Where(p => p.Length > 0).ToArray();
        if (paths.Length == 0)
            throw new DatasetException("no data given");
        // Keys are "<dataset name>/…" and results are summarised per source dataset, so two sources with the same folder
        // name (a/photos,b/photos) must not share a name: the second is "photos-2", the third "photos-3".
        var used = new HashSet<string>(StringComparer.Ordinal);
        var datasets = new IImageDataset[paths.Length];
        for (int i = 0; i < paths.Length; i++)
        {
            var first = OpenOne(paths[i], null, connectionString);
            string name = first.Name;
            for (int n = 2; !used.Add(name); n++) name = $"{first.Name}-{n}";
            datasets[i] = name == first.Name ? first : OpenOne(paths[i], name, connectionString);
        }
        return datasets.Length == 1 ? datasets[0] : new CompositeDataset(datasets);
    }

    /// <summary>The source datasets an opened dataset reads: the first segment of its inputs' keys, which is what a
    /// head's <c>applies_to</c> and the per-dataset summary go by.</summary>
    public static IReadOnlyList<string> SourceNames(IImageDataset dataset)
        => dataset is CompositeDataset c ? [.. c.Children.Select(x => x.Name)] : [dataset.Name];

    private static IImageDataset OpenOne(string entry, string? name, string? connectionString)
    {
        if (Storage.StoreFactory.IsAzure(entry))
            return AzureTarDataset.Open(entry, connectionString, name);
        if (Core.Data.BraceExpansion.HasBraces(entry))
        {
            // shards/{00000..09999}.tar: the tars named, in order; a missing one fails here, at start.
            System.Collections.Immutable.ImmutableArray<string> tars;
            try { tars = Core.Data.BraceExpansion.Expand(entry); }
            catch (FormatException e) { throw new DatasetException(e.Message); }
            if (tars.Any(t => !t.EndsWith(".tar", StringComparison.OrdinalIgnoreCase)))
                throw new DatasetException($"'{entry}': a brace pattern names .tar shards");
            return new WebDatasetTarDataset(tars, name);
        }
        int hash = entry.LastIndexOf('#');
        string path = hash < 0 ? entry : entry[..hash];
        string? split = hash < 0 ? null : entry[(hash + 1)..];
        if (hash >= 0 && !Directory.Exists(path) && !File.Exists(path) && (Directory.Exists(entry) || File.Exists(entry)))
        {
            // A real name with '#' in it wins over the split syntax.
            path = entry;
            split = null;
        }
        if (!Directory.Exists(path) && !File.Exists(path))
            throw new DatasetException($"data not found: {path}");

        if (Directory.Exists(path))
        {
            var idx = IdxImageFiles(path);
            if (idx.Length > 0)
                return new IdxDataset(ChooseSplit(path, idx, split), name);
            NoSplit(path, split);
            if (Directory.EnumerateFiles(path, "*.tar", new EnumerationOptions { MatchCasing = MatchCasing.CaseInsensitive }).Any())
                return new WebDatasetTarDataset(path, name);
            return new ImageFolderDataset(path, name);
        }

        NoSplit(path, split);
        string file = Path.GetFileName(path);
        if (file.Contains("-images-idx3-ubyte", StringComparison.Ordinal))
            return new IdxDataset(path, name);
        if (file.EndsWith(".tar", StringComparison.OrdinalIgnoreCase))
            return new WebDatasetTarDataset(path, name);
        if (file.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase))
            return new ParquetImageDataset(path, name);
        if (ImageFolderDataset.IsImageFile(file))
            return ImageFolderDataset.OfFile(path, name);
        throw new DatasetException(
            $"unsupported data file (expected a folder, an image file ({string.Join(", ", ImageFolderDataset.ImageExtensions.Order())}), .tar, .parquet or IDX file): {path}");
    }

    private static string[] IdxImageFiles(string folder)
    {
        var files = Directory.EnumerateFiles(folder, "*-images-idx3-ubyte*")
            .Where(f => f.EndsWith("-images-idx3-ubyte", StringComparison.Ordinal) || f.EndsWith("-images-idx3-ubyte.gz", StringComparison.Ordinal))
            .ToArray();
        Array.Sort(files, StringComparer.Ordinal);
        return files;
    }

    private static string ChooseSplit(string folder, string[] imageFiles, string? split)
    {
        string? Find(string s) => imageFiles.FirstOrDefault(f => IdxDataset.SplitOf(Path.GetFileName(f)) == s);
        if (split is not null)
        {
            return Find(split) ?? throw new DatasetException(
                $"no split '{split}' in {folder} (found: {string.Join(", ", imageFiles.Select(f => IdxDataset.SplitOf(Path.GetFileName(f))).Distinct())})");
        }
        return Find(PreferredIdxSplit) ?? imageFiles[0];
    }

    private static void NoSplit(string path, string? split)
    {
        if (split is not null)
            throw new DatasetException($"'#{split}' selects an IDX split, but {path} holds no IDX files");
    }
}
