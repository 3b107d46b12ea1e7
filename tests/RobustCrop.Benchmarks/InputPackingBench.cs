using System.Diagnostics;
using RobustCrop.Core.Imaging;

namespace RobustCrop.Benchmarks;

/// <summary>
/// What feeding an NHWC or float16 model costs on top of the crop writer: <see cref="InputPacking"/> on batches of 224²
/// crops (the session's copy into its pinned buffer; for NCHW float32 a plain copy).
/// </summary>
public static class InputPackingBench
{
    /// <summary>Milliseconds per crop (after a warm-up) for one layout and element type.</summary>
    public static double Run(TensorLayout layout, InputElementType type, int crops = 2000)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(crops);
        const int size = 224, batch = 16, item = 3 * size * size;
        var src = new float[batch * item];
        var random = new Random(12345);
        for (int i = 0; i < src.Length; i++) src[i] = (float)(random.NextDouble() * 4 - 2);
        var floats = new float[batch * item];
        var halves = new Half[batch * item];
        var scratch = new float[item];

        void One()
        {
            if (type == InputElementType.Float16) InputPacking.Pack(src, batch, size, layout, halves, scratch);
            else InputPacking.Pack(src, batch, size, layout, floats);
        }

        int batches = Math.Max(1, crops / batch);
        for (int k = 0; k < Math.Min(batches, 10); k++) One();
        var sw = Stopwatch.StartNew();
        for (int k = 0; k < batches; k++) One();
        return sw.Elapsed.TotalMilliseconds / (batches * batch);
    }
}
