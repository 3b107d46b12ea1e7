using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;
using RobustCrop.Core.Models;

namespace RobustCrop.IO.Models;

/// <summary>
/// A zero-shot head as users make it with open_clip: the class text embeddings saved by <c>numpy.save</c> as a
/// float32 (or float16/float64) <c>[K, D]</c> array, and a text file with the K class names, one per line, in row order.
/// </summary>
public static partial class NpyHead
{
    /// <summary>CLIP's learned logit scale is clamped at 100; cosines times 100 give its softmax confidences.</summary>
    public const float ClipLogitScale = 100f;

    public static ClassHead Load(string npyPath, string? classesPath)
    {
        if (classesPath is null) throw new ZooException($"head {Path.GetFileName(npyPath)}: a .npy head needs head.classes, a text file of class names");
        if (!File.Exists(classesPath)) throw new ZooException($"head classes file not found: {classesPath}");
        var (rows, cols, data) = ReadMatrix(npyPath);
        var names = File.ReadAllLines(classesPath).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
        if (names.Length != rows)
            throw new ZooException($"head {Path.GetFileName(npyPath)} has {rows} rows, {Path.GetFileName(classesPath)} names {names.Length} classes");
        return new ClassHead(HeadKind.ZeroShot, names, cols, data, null, ClipLogitScale);
    }

    /// <summary>Reads a C-ordered 2-d little-endian float array (NPY format 1.0–3.0).</summary>
    public static (int Rows, int Cols, float[] Data) ReadMatrix(string path)
    {
        if (!File.Exists(path)) throw new ZooException($"head file not found: {path}");
        byte[] bytes = File.ReadAllBytes(path);
        string name = Path.GetFileName(path);
        if (bytes.Length < 10 || bytes[0] != 0x93 || Encoding.ASCII.GetString(bytes, 1, 5) != "NUMPY")
            throw new ZooException($"head {name} is not a .npy file");
        int major = bytes[6];
        int headerLength = major == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)) : (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8));
        int headerStart = major == 1 ? 10 : 12;
        if (headerStart + headerLength > bytes.Length) throw new ZooException($"head {name}: truncated .npy header");
        string header = Encoding.Latin1.GetString(bytes, headerStart, headerLength);
        var descr = Descr().Match(header);
        var shape = Shape().Match(header);
        if (!descr.Success || !shape.Success) throw new ZooException($"head {name}: unreadable .npy header");
        if (header.Contains("'fortran_order': True", StringComparison.Ordinal)) throw new ZooException($"head {name}: Fortran-ordered arrays are not supported; save with numpy.ascontiguousarray");
        var dims = shape.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(long.Parse).ToArray();
        if (dims.Length != 2 || dims[0] < 1 || dims[1] < 1 || dims[0] * dims[1] > int.MaxValue / 8)
            throw new ZooException($"head {name} has shape ({shape.Groups[1].Value}), expected (classes, dimension)");
        int rows = (int)dims[0], cols = (int)dims[1], n = rows * cols;
        string type = descr.Groups[1].Value;
        int width = type switch { "<f4" => 4, "<f2" => 2, "<f8" => 8, _ => throw new ZooException($"head {name} holds '{type}', expected little-endian float32 ('<f4'), float16 or float64") };
        var payload = bytes.AsSpan(headerStart + headerLength);
        if (payload.Length < (long)n * width) throw new ZooException($"head {name}: {payload.Length} data bytes, shape ({rows}, {cols}) needs {(long)n * width}");
        var data = new float[n];
        for (int i = 0; i < n; i++)
            data[i] = width switch
            {
                4 => BinaryPrimitives.ReadSingleLittleEndian(payload[(i * 4)..]),
                2 => (float)BinaryPrimitives.ReadHalfLittleEndian(payload[(i * 2)..]),
                _ => (float)BinaryPrimitives.ReadDoubleLittleEndian(payload[(i * 8)..]),
            };
        return (rows, cols, data);
    }

    [GeneratedRegex(@"'descr':\s*'([^']+)'")]
    private static partial Regex Descr();

    [GeneratedRegex(@"'shape':\s*\(([^)]*)\)")]
    private static partial Regex Shape();
}
