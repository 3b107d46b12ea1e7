using RobustCrop.Core.Models;

namespace RobustCrop.IO.Models;

/// <summary>Which zoo entries a job uses: the one place an unknown model id is refused.</summary>
public static class ZooSelection
{
    /// <summary>The entries named by <paramref name="ids"/>, in zoo order; the whole zoo when none is named.</summary>
    /// <exception cref="ZooException">An id the zoo does not list: the message names it and the ids the zoo has.</exception>
    public static IReadOnlyList<ModelManifest> Select(IReadOnlyList<ModelManifest> zoo, IReadOnlyCollection<string>? ids, string zooPath)
    {
        ArgumentNullException.ThrowIfNull(zoo);
        if (ids is null || ids.Count == 0) return zoo;
        var missing = ids.Where(id => zoo.All(m => m.Id != id)).ToList();
        if (missing.Count > 0)
            throw new ZooException($"model '{missing[0]}' is not in the zoo {zooPath} (it lists: {string.Join(", ", zoo.Select(m => m.Id))})");
        return zoo.Where(m => ids.Contains(m.Id)).ToList();
    }

    /// <summary>The entry <paramref name="id"/>; the zoo's first when <paramref name="id"/> is null.</summary>
    /// <exception cref="ZooException">An id the zoo does not list, as <see cref="Select"/> words it.</exception>
    public static ModelManifest One(IReadOnlyList<ModelManifest> zoo, string? id, string zooPath)
    {
        ArgumentNullException.ThrowIfNull(zoo);
        if (id is null) return zoo.Count > 0 ? zoo[0] : throw new ZooException($"the zoo {zooPath} lists no model");
        return Select(zoo, [id], zooPath)[0];
    }
}
