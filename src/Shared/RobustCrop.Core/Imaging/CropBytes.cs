namespace RobustCrop.Core.Imaging;

/// <summary>
/// Writes an integer window of a scene as raw HWC bytes (the scene's own interleaved R,G,B layout), for models whose
/// graph normalises its uint8 input itself (see the worker's normalisation-in-graph rewrite): a quarter of the float
/// crop's bytes and no arithmetic on the CPU.
/// </summary>
/// <remarks>
/// Rows are contiguous in both the scene and the crop, so a rolled row is at most two block copies: the roll costs
/// nothing beyond choosing where each segment lands.
/// </remarks>
public static class CropBytes
{
    /// <summary>
    /// Writes the size×size window at (x, y), rolled with torch.roll semantics (out[i, j] = crop[(i − rollY) mod size,
    /// (j − rollX) mod size], as the float test oracle <c>CropWriter.WriteRolled</c>), into <paramref name="dest"/> (length 3·size·size).
    /// </summary>
    public static void WriteRolled(RgbImage scene, int x, int y, int size, int rollX, int rollY, Span<byte> dest)
    {
        ArgumentNullException.ThrowIfNull(scene);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        if (x < 0 || y < 0 || x + size > scene.Width || y + size > scene.Height)
            throw new ArgumentOutOfRangeException(nameof(x), $"window {size}x{size} at ({x},{y}) leaves the {scene.Width}x{scene.Height} scene");
        int rowBytes = 3 * size;
        if (dest.Length < rowBytes * size) throw new ArgumentException($"destination holds {dest.Length} bytes, needs {rowBytes * size}", nameof(dest));

        rollX = Mod(rollX, size);
        rollY = Mod(rollY, size);
        int tail = 3 * (size - rollX); // out cols [rollX, size) <- crop cols [0, size - rollX); out [0, rollX) <- the rest
        int head = 3 * rollX;
        for (int i = 0; i < size; i++)
        {
            int srcRow = i - rollY;
            if (srcRow < 0) srcRow += size;
            ReadOnlySpan<byte> row = scene.ReadOnlyRow(y + srcRow).Slice(x * 3, rowBytes);
            Span<byte> outRow = dest.Slice(i * rowBytes, rowBytes);
            row[..tail].CopyTo(outRow[head..]);
            if (head > 0) row[tail..].CopyTo(outRow[..head]);
        }
    }

    /// <summary>The unrolled window.</summary>
    public static void Write(RgbImage scene, int x, int y, int size, Span<byte> dest) => WriteRolled(scene, x, y, size, 0, 0, dest);

    private static int Mod(int a, int m) { int r = a % m; return r < 0 ? r + m : r; }
}
