using RobustCrop.Core.Geometry;
using RobustCrop.Core.Imaging;

namespace RobustCrop.Core.Rics;

/// <summary>The crop RICS classifies for one frame, and where it sits in that frame's window.</summary>
/// <param name="OffsetX">Offset from the frame's standard crop, in −h..h.</param>
public readonly record struct RicsChoice(CropPosition Position, int OffsetX, int OffsetY, int HalfWindow)
{
    /// <summary>The choice lies on the window's edge: a sign that the score field is too smooth to have interior maxima.</summary>
    public bool OnBorder => Math.Abs(OffsetX) == HalfWindow || Math.Abs(OffsetY) == HalfWindow;
}

/// <summary>
/// Realistic RICS (DESIGN §5) for one scene: scores every candidate top-left within reach of the base crop once
/// (windows up to <c>maxWindow</c>, frames shifted up to <c>maxShift</c>), then answers, for any window n and frame shift,
/// which crop the frame selects. Scores depend on crop content only; ties are broken by content (hash, then pixels).
/// </summary>
public sealed class RicsSelector
{
    private readonly RgbImage _scene;
    private readonly int _crop;
    private readonly int _x0, _y0, _w, _h; // block of candidate top-lefts, clipped to the scene
    private readonly ulong[] _hash;
    private readonly Dictionary<(RicsScore, int), float[]> _fields = [];
    private readonly Dictionary<int, bool[]> _peaks = []; // hessian: per window, the candidates that are the field's strict peaks
    private readonly CropPosition _base;

    public RicsSelector(RgbImage scene, CropPosition basePosition, int cropSize, int maxWindow, int maxShift, ulong seed)
    {
        if (maxWindow < 1 || maxWindow % 2 == 0) throw new ArgumentException($"RICS window must be odd and positive; got {maxWindow}");
        _scene = scene;
        _crop = cropSize;
        _base = basePosition;
        int reach = (maxWindow - 1) / 2 + maxShift;
        _x0 = Math.Max(0, basePosition.X - reach);
        _y0 = Math.Max(0, basePosition.Y - reach);
        int x1 = Math.Min(scene.Width - cropSize, basePosition.X + reach);
        int y1 = Math.Min(scene.Height - cropSize, basePosition.Y + reach);
        _w = x1 - _x0 + 1;
        _h = y1 - _y0 + 1;
        if (_w <= 0 || _h <= 0) throw new ArgumentException("the base crop leaves the scene");
        _hash = new ulong[_w * _h];
        WindowHashField.Compute(scene, _x0, _y0, _w, _h, cropSize, seed, _hash);
    }

    /// <summary>The choice of the frame shifted by <paramref name="frameShift"/> with an n×n window, or null when its candidates leave the scene.</summary>
    public RicsChoice? Select(int n, RicsScore score, Shift frameShift)
    {
        if (n < 1 || n % 2 == 0) throw new ArgumentException($"RICS window must be odd and positive; got {n}");
        if (!RicsScores.IsRealistic(score)) throw new ArgumentException($"{RicsScores.Name(score)} is not a realistic RICS score", nameof(score));
        int half = (n - 1) / 2;
        int cx = _base.X + frameShift.Dx, cy = _base.Y + frameShift.Dy;
        if (cx - half < _x0 || cy - half < _y0 || cx + half >= _x0 + _w || cy + half >= _y0 + _h) return null;
        float[]? field = score == RicsScore.Hash ? null : Field(score, n);
        bool[]? peaks = score == RicsScore.Hessian ? _peaks[n] : null;
        int best = -1;
        for (int y = cy - half; y <= cy + half; y++)
            for (int x = cx - half; x <= cx + half; x++)
            {
                int idx = (y - _y0) * _w + (x - _x0);
                if (best < 0 || Better(idx, best, field, peaks)) best = idx;
            }
        int bx = _x0 + best % _w, by = _y0 + best / _w;
        return new RicsChoice(new CropPosition(bx, by), bx - cx, by - cy, half);
    }

    /// <summary>
    /// The candidates a combining mode weighs for the frame shifted by <paramref name="frameShift"/> (DESIGN §5b), written
    /// into <paramref name="members"/> with weights that sum to 1 (select: its one choice, weight 1); false when the window
    /// leaves the scene. See <see cref="RicsCombination"/> for the weights and their bound.
    /// </summary>
    public bool Members(int n, RicsMode mode, Shift frameShift, List<(CropPosition Position, float Weight)> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        members.Clear();
        if (Select(n, RicsScore.Hash, frameShift) is not { } choice) return false;
        int half = (n - 1) / 2;
        int cx = _base.X + frameShift.Dx, cy = _base.Y + frameShift.Dy;
        switch (mode.Kind)
        {
            case RicsModeKind.Select:
                members.Add((choice.Position, 1f));
                return true;
            case RicsModeKind.MeanAll:
                for (int y = cy - half; y <= cy + half; y++)
                    for (int x = cx - half; x <= cx + half; x++)
                        members.Add((new CropPosition(x, y), 1f / (n * n)));
                return true;
            case RicsModeKind.Block:
                var (from, to) = RicsCombination.BlockOffsets(mode.K, half);
                float share = 1f / ((to - from + 1) * (to - from + 1));
                for (int dy = from; dy <= to; dy++)
                    for (int dx = from; dx <= to; dx++)
                        members.Add((new CropPosition(cx + dx, cy + dy), share));
                return true;
            case RicsModeKind.Rook:
                var offsets = RicsCombination.RookOffsets(mode.K, half);
                foreach (var (dx, dy) in offsets) members.Add((new CropPosition(cx + dx, cy + dy), 1f / offsets.Count));
                return true;
            default:
                ulong threshold = RicsCombination.Threshold(mode.K, n);
                double total = 0;
                for (int y = cy - half; y <= cy + half; y++)
                    for (int x = cx - half; x <= cx + half; x++)
                    {
                        if (_hash[(y - _y0) * _w + (x - _x0)] < threshold) continue;
                        int weight = RicsCombination.Tent(x - cx, half) * RicsCombination.Tent(y - cy, half);
                        members.Add((new CropPosition(x, y), weight));
                        total += weight;
                    }
                if (members.Count == 0) { members.Add((choice.Position, 1f)); return true; } // no member: the select choice
                for (int i = 0; i < members.Count; i++) members[i] = (members[i].Position, (float)(members[i].Weight / total));
                return true;
        }
    }

    /// <summary>a beats b: a peak beats a non-peak (the peak rule of hessian), then the higher score, then hash and pixels.</summary>
    private bool Better(int a, int b, float[]? field, bool[]? peaks = null)
    {
        if (peaks is not null && peaks[a] != peaks[b]) return peaks[a];
        if (field is not null && field[a] != field[b]) return field[a] > field[b];
        if (_hash[a] != _hash[b]) return _hash[a] > _hash[b];
        // Equal hashes: identical content (or a 2^-61 collision). Order by pixels so the choice is still a function of content.
        return CompareContent(a, b) < 0;
    }

    private int CompareContent(int a, int b)
    {
        int ax = _x0 + a % _w, ay = _y0 + a / _w, bx = _x0 + b % _w, by = _y0 + b / _w;
        for (int r = 0; r < _crop; r++)
        {
            int c = _scene.ReadOnlyRow(ay + r).Slice(3 * ax, 3 * _crop).SequenceCompareTo(_scene.ReadOnlyRow(by + r).Slice(3 * bx, 3 * _crop));
            if (c != 0) return c;
        }
        return 0;
    }

    /// <summary>The smooth score's field over the whole block, computed once per score and window.</summary>
    private float[] Field(RicsScore score, int n)
    {
        if (_fields.TryGetValue((score, n), out var f)) return f;
        f = new float[_w * _h];
        if (score == RicsScore.Blob) BlobScoreField.Compute(_scene, _x0, _y0, _w, _h, _crop, n, f);
        else if (score == RicsScore.Hessian) _peaks[n] = HessianWithPeaks(n, f);
        else DogScoreField.Compute(_scene, _x0, _y0, _w, _h, _crop, n, f);
        _fields[(score, n)] = f;
        return f;
    }

    /// <summary>
    /// The hessian field of the block into <paramref name="f"/>, and which candidates are strict maxima over the 5×5 block
    /// around them (<see cref="HessianScoreField.PeakReach"/>). The field is computed that much wider on every side (a
    /// neighbour's score reads pixels of the candidate's crop only, <see cref="HessianScoreField"/>, so this stays inside
    /// the scene even at its edge).
    /// </summary>
    private bool[] HessianWithPeaks(int n, float[] f)
    {
        const int r = HessianScoreField.PeakReach;
        int ew = _w + 2 * r, eh = _h + 2 * r;
        var wide = new float[ew * eh];
        HessianScoreField.Compute(_scene, _x0 - r, _y0 - r, ew, eh, _crop, n, wide);
        var peaks = new bool[_w * _h];
        for (int y = 0; y < _h; y++)
            for (int x = 0; x < _w; x++)
            {
                float v = wide[(y + r) * ew + x + r];
                f[y * _w + x] = v;
                bool peak = true;
                for (int dy = 0; dy <= 2 * r && peak; dy++)
                    for (int dx = 0; dx <= 2 * r; dx++)
                        if ((dx != r || dy != r) && wide[(y + dy) * ew + x + dx] >= v) { peak = false; break; }
                peaks[y * _w + x] = peak;
            }
        return peaks;
    }
}
