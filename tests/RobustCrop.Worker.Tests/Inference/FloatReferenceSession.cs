using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using RobustCrop.Core.Imaging;
using RobustCrop.IO.Onnx;
using RobustCrop.Worker.Inference;

namespace RobustCrop.Worker.Tests.Inference;

/// <summary>
/// The tests' float oracle: a model's graph with every production rewrite but the normalisation
/// (<see cref="OnnxSessionFactory.Prepare"/>), opened by the production <see cref="SessionBuilder"/> and read by the
/// production <see cref="OutputReader"/>, fed [N,3,S,S] float crops normalised on the CPU (<see cref="CropWriter"/>) and
/// packed into the model's own layout and element type (<see cref="InputPacking"/>). What the runtime fed before the
/// contract became uint8 crops normalised in the graph; the in-graph path is checked against it. Allocates per run.
/// </summary>
public sealed class FloatReferenceSession : IDisposable
{
    private readonly InferenceSession _session;
    private readonly ModelIo _io;
    private readonly OutputReader _reader;
    private readonly int? _fixedBatch;

    private FloatReferenceSession(PreparedGraph graph, SessionSpec spec)
    {
        _io = spec.Io;
        var sig = graph.Signature;
        (InputName, InputSize, OutputName, _fixedBatch) = (sig.InputName, sig.InputSize, sig.OutputName, sig.FixedBatch);
        MaxBatch = _fixedBatch ?? spec.MaxBatch;
        (_session, ActiveDevice, FallbackReason) = SessionBuilder.Open(graph.Model, spec.Device, spec.Threads, graph.Name, graph.ExternalDataFolder);
        long[] trailing = [.. sig.OutputTrailingDims];
        if (trailing.Any(d => d < 0))
        {
            using var zeros = Tensor(new float[(_fixedBatch ?? 1) * InputItemSize], _fixedBatch ?? 1);
            OutputReader.Probe(_session, zeros, InputName, OutputName, trailing, graph.Name);
        }
        _reader = new OutputReader(graph.Name, OutputName, trailing, sig.HalfOutput, _io.Pool);
    }

    /// <summary>As <see cref="OnnxSessionFactory.Create"/>, without the normalisation (the spec's is ignored).</summary>
    public static FloatReferenceSession Create(byte[] model, SessionSpec spec, string? folder = null)
        => new(OnnxSessionFactory.Prepare(model, spec, folder), spec);

    /// <summary>As <see cref="OnnxSessionFactory.Load"/>, without the normalisation.</summary>
    public static FloatReferenceSession Load(string path, SessionSpec spec)
        => Create(OnnxGraphFile.ReadGraph(path), spec with { Name = spec.Name ?? path }, Path.GetDirectoryName(Path.GetFullPath(path)));

    public string InputName { get; }
    public string OutputName { get; }
    public int InputSize { get; }
    public int MaxBatch { get; }
    public string ActiveDevice { get; }
    public string? FallbackReason { get; }
    public int OutputDim => _reader.OutputDim;
    public int RawOutputDim => _reader.RawDim;
    public int InputItemSize => 3 * InputSize * InputSize;

    /// <summary>Runs <paramref name="batch"/> [3,S,S] float crops into [batch, OutputDim].</summary>
    public float[] Run(ReadOnlySpan<float> input, int batch)
    {
        if (input.Length != batch * InputItemSize) throw new ArgumentException($"input has {input.Length} floats, expected {batch * InputItemSize}", nameof(input));
        var output = new float[batch * OutputDim];
        int item = InputItemSize;
        for (int start = 0; start < batch; start += MaxBatch)
        {
            int n = Math.Min(MaxBatch, batch - start);
            var packed = new float[n * item];
            InputPacking.Pack(input.Slice(start * item, n * item), n, InputSize, _io.Layout, packed);
            using var value = Tensor(packed, n);
            using var options = SessionBuilder.QuietRun();
            using var results = _session.Run(options, [InputName], [value], [OutputName]);
            _reader.Read(results.First().GetTensorMutableRawData(), n, start, output);
        }
        return output;
    }

    public void Dispose() => _session.Dispose();

    // The crops in the graph's own layout (already packed) and element type.
    private OrtValue Tensor(float[] packed, int n)
    {
        long[] shape = _io.Layout == TensorLayout.Nchw ? [n, 3, InputSize, InputSize] : [n, InputSize, InputSize, 3];
        if (_io.Type == InputElementType.Float32) return OrtValue.CreateTensorValueFromMemory(packed, shape);
        var half = new Float16[packed.Length];
        System.Numerics.Tensors.TensorPrimitives.ConvertToHalf(packed, MemoryMarshal.Cast<Float16, Half>(half.AsSpan()));
        return OrtValue.CreateTensorValueFromMemory(half, shape);
    }
}
