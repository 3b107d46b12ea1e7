namespace RobustCrop.Core.Models;

/// <summary>
/// The dataset's label for each of a model's classes, in class order: ImageNet-style folders are labelled by synset
/// (<c>val/n01440764/*.JPEG</c>) while a model's classes are indices (logits) or names (a head), so the zoo's
/// <c>labels:</c> file (<c>LOC_synset_mapping.txt</c>: "n01440764 tench, Tinca tinca" per line) says which synset each
/// class is. The first word of a line is the dataset label, the rest (when present) the class's readable name.
/// </summary>
public sealed class ClassLabels
{
    private readonly string[] _labels;
    private readonly string?[] _names;
    private readonly Dictionary<string, int> _index;

    private ClassLabels(string[] labels, string?[] names)
    {
        _labels = labels;
        _names = names;
        _index = new Dictionary<string, int>(labels.Length, StringComparer.Ordinal);
        for (int k = 0; k < labels.Length; k++)
            if (!_index.TryAdd(labels[k], k)) throw new ZooException($"labels: '{labels[k]}' names classes {_index[labels[k]]} and {k}");
    }

    public int Count => _labels.Length;

    /// <summary>Lines of a labels file, one class per non-blank line, in class order.</summary>
    public static ClassLabels Parse(IEnumerable<string> lines)
    {
        var labels = new List<string>();
        var names = new List<string?>();
        foreach (var raw in lines)
        {
            string line = raw.Trim();
            if (line.Length == 0) continue;
            int space = line.IndexOfAny([' ', '\t']);
            labels.Add(space < 0 ? line : line[..space]);
            names.Add(space < 0 ? null : line[(space + 1)..].Trim() is { Length: > 0 } n ? n : null);
        }
        if (labels.Count == 0) throw new ZooException("labels: the file names no class");
        return new ClassLabels([.. labels], [.. names]);
    }

    /// <summary>The class the dataset calls <paramref name="datasetLabel"/>, or null when it names none of the model's.</summary>
    public int? ClassOf(string datasetLabel) => _index.TryGetValue(datasetLabel, out int k) ? k : null;

    /// <summary>Class k's readable name (the rest of its line), else its dataset label.</summary>
    public string NameOf(int k) => _names[k] ?? _labels[k];
}
