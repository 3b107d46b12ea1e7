using System.Collections.Immutable;

namespace RobustCrop.Core.Geometry;

/// <summary>The shift sets of DESIGN §2. Neither contains the zero shift: the base is always measured.</summary>
public static class ShiftSets
{
    /// <summary>N1: the 8 one-pixel neighbours, axis-aligned first.</summary>
    public static ImmutableArray<Shift> N1 { get; } =
    [
        new(1, 0), new(-1, 0), new(0, 1), new(0, -1),
        new(1, 1), new(1, -1), new(-1, 1), new(-1, -1),
    ];

    /// <summary>The four axis-aligned one-pixel shifts (the ones the RICS bound (n−1)/(n+1) speaks of).</summary>
    public static ImmutableArray<Shift> Axis1 { get; } = [new(1, 0), new(-1, 0), new(0, 1), new(0, -1)];

    /// <summary>Wk: every (dx, dy) with |dx|, |dy| ≤ k except (0, 0), in row-major order.</summary>
    public static ImmutableArray<Shift> Window(int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        var b = ImmutableArray.CreateBuilder<Shift>((2 * k + 1) * (2 * k + 1) - 1);
        for (int dy = -k; dy <= k; dy++)
            for (int dx = -k; dx <= k; dx++)
                if (dx != 0 || dy != 0) b.Add(new Shift(dx, dy));
        return b.MoveToImmutable();
    }
}
