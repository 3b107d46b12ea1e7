namespace RobustCrop.Core.Models;

/// <summary>
/// Says, once and up front, which inputs a model cannot classify: an embedding model whose head is missing or bound to
/// other datasets (<c>head.applies_to</c>) answers with a representation only, and a user who reads a column of nulls
/// or an accuracy of "—" without this line cannot tell why.
/// </summary>
public static class HeadCoverage
{
    /// <summary>
    /// One line per group of models that leave the same datasets without classes (the shipped zoo's two models share one
    /// line); empty when every model classifies every dataset.
    /// </summary>
    /// <param name="datasets">The source datasets of the run: the first segment of the inputs' keys.</param>
    /// <param name="outcome">What those inputs get instead, as the command puts it ("no prediction", "representation metrics only").</param>
    public static IReadOnlyList<string> Notes(IEnumerable<ModelManifest> models, IReadOnlyList<string> datasets, string outcome)
    {
        var groups = new List<(List<string> Models, string Head, string[] Missing)>();
        foreach (var m in models)
        {
            if (m.Output == OutputKind.Logits) continue;
            string[] missing = m.HeadPath is null ? [.. datasets] : datasets.Where(d => !m.ClassesApplyTo(d + "/")).ToArray();
            if (missing.Length == 0) continue;
            string head = m.HeadPath is null ? "" : string.Join(", ", m.HeadAppliesTo);
            var group = groups.FirstOrDefault(g => g.Head == head && g.Missing.SequenceEqual(missing) && (m.HeadPath is null) == (g.Head.Length == 0));
            if (group.Models is null) groups.Add(([m.Id], head, missing));
            else group.Models.Add(m.Id);
        }
        return groups.Select(g => Line(g.Models, g.Head, g.Missing, outcome)).ToList();
    }

    private static string Line(List<string> models, string head, string[] missing, string outcome)
    {
        bool one = models.Count == 1;
        string who = (one ? "model " : "models ") + string.Join(", ", models);
        string what = head.Length == 0
            ? $"{who}: {(one ? "it has" : "they have")} no classes (an embedding without a head)"
            : $"{who}: {(one ? "its head applies" : "their heads apply")} to {head}";
        string inputs = string.Join(", ", missing.Select(d => $"'{d}'"));
        string model = one ? models[0] : "MODEL";
        return $"{what}; inputs of {inputs} get {outcome} — fit a head on labelled data (robustcrop fit-head --model {model} " +
               $"--data FOLDER --out head.json, then head: {{ path: head.json, applies_to: [{missing[0]}] }} in a zoo file), " +
               "or use a logits model (labels: maps its classes to your label names)";
    }
}
