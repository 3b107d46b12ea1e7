using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using RobustCrop.Core.Models;

namespace RobustCrop.Worker.Inference;

/// <summary>
/// Reads a batch's output buffer into [N, OutputDim] floats: float16 widened, a [tokens, D] output pooled to D
/// (<see cref="ModelSignature.Reading"/>), and every value checked finite, so a NaN never reaches a metric.
/// </summary>
public sealed class OutputReader
{
    private readonly string _modelName;
    private readonly string _outputName;
    private readonly bool _half;
    private readonly int _tokens;
    private readonly EmbeddingPool _pool;
    private readonly float[] _widened;

    /// <param name="trailingDims">The output's dims after the batch, all known (probed where the graph leaves them symbolic).</param>
    public OutputReader(string modelName, string outputName, ReadOnlySpan<long> trailingDims, bool half, EmbeddingPool pool)
    {
        _modelName = modelName;
        _outputName = outputName;
        _half = half;
        _pool = pool;
        long raw = 1;
        foreach (long d in trailingDims) raw = checked(raw * d);
        if (raw < 1) throw new ModelLoadException($"model {modelName}: output '{outputName}' has no elements per image");
        RawDim = checked((int)raw);
        (_tokens, OutputDim) = ModelSignature.Reading(trailingDims);
        _widened = half ? new float[RawDim] : [];
    }

    /// <summary>Elements per image the model itself writes (tokens x D for a token output).</summary>
    public int RawDim { get; }

    /// <summary>Floats per image returned: the output's elements, or D of a pooled [tokens, D] output.</summary>
    public int OutputDim { get; }

    /// <summary>Bytes per output element in the buffer the model writes.</summary>
    public int ElementSize => _half ? 2 : 4;

    /// <summary>
    /// Reads <paramref name="n"/> items of <paramref name="raw"/> (the model's output buffer) into <paramref name="output"/>
    /// from item <paramref name="start"/> on. Throws <see cref="ModelOutputException"/> on a NaN or infinite value.
    /// </summary>
    public void Read(ReadOnlySpan<byte> raw, int n, int start, Span<float> output)
    {
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<float> item = Item(raw, i);
            CheckFinite(item, start + i);
            Span<float> dest = output.Slice((start + i) * OutputDim, OutputDim);
            if (_tokens == 1) item.CopyTo(dest);
            else TokenPooling.Pool(item, _tokens, OutputDim, _pool, dest);
        }
    }

    // Item i as floats: a view of a float buffer, or the float16 one widened into scratch.
    private ReadOnlySpan<float> Item(ReadOnlySpan<byte> raw, int i)
    {
        if (!_half) return MemoryMarshal.Cast<byte, float>(raw).Slice(i * RawDim, RawDim);
        ReadOnlySpan<Half> half = MemoryMarshal.Cast<byte, Half>(raw).Slice(i * RawDim, RawDim);
        TensorPrimitives.ConvertToSingle(half, _widened);
        return _widened;
    }

    private void CheckFinite(ReadOnlySpan<float> result, int item)
    {
        for (int i = 0; i < result.Length; i++)
        {
            float v = result[i];
            if (!float.IsFinite(v))
            {
                string what = float.IsNaN(v) ? "NaN" : v > 0 ? "+Infinity" : "-Infinity";
                throw new ModelOutputException(
                    $"model {_modelName} returned {what} for batch item {item} (output '{_outputName}' element {i})");
            }
        }
    }

    /// <summary>
    /// Fills the symbolic (-1) entries of <paramref name="trailingDims"/> from one run on a zero batch of
    /// <paramref name="probe"/>: output shapes with symbolic non-batch dims are only known after a run.
    /// </summary>
    public static void Probe(InferenceSession session, OrtValue probe, string inputName, string outputName, long[] trailingDims, string modelName)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(trailingDims);
        using var options = SessionBuilder.QuietRun();
        using IDisposableReadOnlyCollection<OrtValue> results = session.Run(options, [inputName], [probe], [outputName]);
        long[] shape = results.First().GetTensorTypeAndShape().Shape;
        if (shape.Length != trailingDims.Length + 1)
        {
            throw new ModelLoadException($"model {modelName}: output '{outputName}' declares rank {trailingDims.Length + 1}, returned [{string.Join(",", shape)}]");
        }
        for (int i = 0; i < trailingDims.Length; i++) trailingDims[i] = shape[i + 1];
    }
}
