using System.Globalization;
using System.Text.Json.Serialization;

namespace RobustCrop.Core.Data;

/// <summary>
/// Where a shard's items live: a part of a dataset (<see cref="PartSource"/>: a folder, an IDX pair, a tar), or a shard
/// of one child of a composite dataset (<see cref="ChildSource"/>), which a worker needs whole because it has the
/// shard but not the shard size it was planned with. Typed, so nothing is packed into or parsed back out of a string.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(PartSource), "part")]
[JsonDerivedType(typeof(ChildSource), "child")]
public abstract record ShardSource
{
    public static ShardSource Of(string part) => new PartSource(part);

    public static ShardSource OfChild(int index, string name, ShardId id, ShardSource source) => new ChildSource(index, name, id, source);
}

/// <summary>A part of a dataset, as the dataset names it.</summary>
public sealed record PartSource(string Part) : ShardSource
{
    public override string ToString() => Part;
}

/// <summary>Shard <paramref name="Id"/> of child <paramref name="Index"/> (named <paramref name="Name"/>) of a composite dataset.</summary>
public sealed record ChildSource(int Index, string Name, ShardId Id, ShardSource Source) : ShardSource
{
    /// <summary>The form shard manifests record: <c>child index|child name|child shard id|child source</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Index}|{Name}|{Id.Value}|{Source}");
}
