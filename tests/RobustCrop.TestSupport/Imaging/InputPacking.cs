using System.Numerics.Tensors;
using RobustCrop.Core.Imaging;

namespace RobustCrop.TestSupport;

/// <summary>
/// The test oracle's packing: turns CPU-normalised crop tensors ([N,3,S,S] float32, what <see cref="CropWriter"/> writes)
/// into what a model's own graph input takes (production feeds uint8 crops normalised in the graph instead): transposed to [N,S,S,3] for NHWC models, rounded to float16 for half-precision ones. Works span to span into
/// the caller's (reused) buffer, so nothing is allocated per crop.
/// </summary>
public static class InputPacking
{
    /// <summary>Writes <paramref name="batch"/> NCHW crops of side <paramref name="size"/> into <paramref name="dest"/> in <paramref name="layout"/>.</summary>
    public static void Pack(ReadOnlySpan<float> nchw, int batch, int size, TensorLayout layout, Span<float> dest)
    {
        int item = Check(nchw.Length, dest.Length, batch, size);
        if (layout == TensorLayout.Nchw)
        {
            nchw[..(batch * item)].CopyTo(dest);
            return;
        }
        int plane = size * size;
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<float> src = nchw.Slice(b * item, item);
            ReadOnlySpan<float> r = src[..plane], g = src.Slice(plane, plane), bl = src.Slice(2 * plane, plane);
            Span<float> dst = dest.Slice(b * item, item);
            for (int p = 0, o = 0; p < plane; p++, o += 3)
            {
                dst[o] = r[p];
                dst[o + 1] = g[p];
                dst[o + 2] = bl[p];
            }
        }
    }

    /// <summary>As <see cref="Pack(ReadOnlySpan{float}, int, int, TensorLayout, Span{float})"/>, rounding to float16.</summary>
    /// <param name="scratch">At least one crop (3·size·size floats) of reusable room for the transposed crop.</param>
    public static void Pack(ReadOnlySpan<float> nchw, int batch, int size, TensorLayout layout, Span<Half> dest, Span<float> scratch)
    {
        int item = Check(nchw.Length, dest.Length, batch, size);
        if (layout == TensorLayout.Nchw)
        {
            TensorPrimitives.ConvertToHalf(nchw[..(batch * item)], dest);
            return;
        }
        if (scratch.Length < item) throw new ArgumentException($"scratch holds {scratch.Length} floats, needs {item}", nameof(scratch));
        for (int b = 0; b < batch; b++)
        {
            Pack(nchw.Slice(b * item, item), 1, size, layout, scratch[..item]);
            TensorPrimitives.ConvertToHalf(scratch[..item], dest.Slice(b * item, item));
        }
    }

    private static int Check(int srcLength, int destLength, int batch, int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        int item = 3 * size * size;
        if (srcLength < batch * item) throw new ArgumentException($"input holds {srcLength} floats, {batch} crops need {batch * item}");
        if (destLength < batch * item) throw new ArgumentException($"destination holds {destLength} values, {batch} crops need {batch * item}");
        return item;
    }
}
